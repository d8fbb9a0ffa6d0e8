//! A unified line diff of two texts, so that a drift report shows what changed rather
//! than only where.

use std::fmt::Write;

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// Above this many compared line pairs (after the common start and end are set aside),
/// the changed middle is shown whole instead of being aligned line by line, which would
/// take time and memory in proportion.
const MAX_ALIGNED_PAIRS: usize = 4_000_000;

/// Output lines shown at most; the rest is counted.
const MAX_SHOWN: usize = 400;

/// One line of the diff: kept, removed from `expected`, or added in `actual`.
#[derive(Clone, Copy, PartialEq)]
enum Edit<'a> {
    Same(&'a str),
    Removed(&'a str),
    Added(&'a str),
}

/// The changes from `expected` to `actual` as a unified diff (`-` expected, `+` actual)
/// with three lines of context and `@@ -line,count +line,count @@` hunk headers; empty
/// when the texts are equal. A change in the last line's newline alone is said in words.
///
/// ```
/// let diff = seatable_codegen::line_diff("a\nb\nc\n", "a\nB\nc\n");
/// assert_eq!(diff, "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
/// ```
pub fn line_diff(expected: &str, actual: &str) -> String {
    if expected == actual {
        return String::new();
    }
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    let edits = edits(&old, &new);
    let mut out = render(&edits);
    if out.is_empty() {
        out.push_str("the texts differ only in the newline at the end\n");
    }
    out
}

/// The edit script: common start and end kept, the middle aligned by a longest common
/// subsequence of lines when it is small enough.
fn edits<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<Edit<'a>> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let old_mid = &old[prefix..old.len() - suffix];
    let new_mid = &new[prefix..new.len() - suffix];
    let mut edits: Vec<Edit<'a>> = old[..prefix].iter().map(|l| Edit::Same(l)).collect();
    if old_mid.len().saturating_mul(new_mid.len()) <= MAX_ALIGNED_PAIRS {
        edits.extend(aligned(old_mid, new_mid));
    } else {
        edits.extend(old_mid.iter().map(|l| Edit::Removed(l)));
        edits.extend(new_mid.iter().map(|l| Edit::Added(l)));
    }
    edits.extend(old[old.len() - suffix..].iter().map(|l| Edit::Same(l)));
    edits
}

/// A longest common subsequence by dynamic programming, walked from the start.
fn aligned<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<Edit<'a>> {
    let width = new.len() + 1;
    // common[i * width + j]: the longest common subsequence of old[i..] and new[j..].
    let mut common = vec![0u32; (old.len() + 1) * width];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            common[i * width + j] = if old[i] == new[j] {
                common[(i + 1) * width + j + 1] + 1
            } else {
                common[(i + 1) * width + j].max(common[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut edits = Vec::with_capacity(old.len() + new.len());
    while i < old.len() && j < new.len() {
        if old[i] == new[j] {
            edits.push(Edit::Same(old[i]));
            i += 1;
            j += 1;
        } else if common[(i + 1) * width + j] >= common[i * width + j + 1] {
            edits.push(Edit::Removed(old[i]));
            i += 1;
        } else {
            edits.push(Edit::Added(new[j]));
            j += 1;
        }
    }
    edits.extend(old[i..].iter().map(|l| Edit::Removed(l)));
    edits.extend(new[j..].iter().map(|l| Edit::Added(l)));
    edits
}

/// The hunks: each run of changes with up to [`CONTEXT`] kept lines on either side,
/// runs closer than twice that joined into one hunk.
fn render(edits: &[Edit<'_>]) -> String {
    let changed: Vec<usize> = (0..edits.len())
        .filter(|&k| !matches!(edits[k], Edit::Same(_)))
        .collect();
    let mut out = String::new();
    let mut shown = 0;
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(CONTEXT);
        let mut last = changed[k];
        while k + 1 < changed.len() && changed[k + 1] <= last + 2 * CONTEXT + 1 {
            k += 1;
            last = changed[k];
        }
        let end = (last + CONTEXT + 1).min(edits.len());
        let hunk = &edits[start..end];
        let old_start = 1 + count(&edits[..start], |e| !matches!(e, Edit::Added(_)));
        let new_start = 1 + count(&edits[..start], |e| !matches!(e, Edit::Removed(_)));
        let old_len = count(hunk, |e| !matches!(e, Edit::Added(_)));
        let new_len = count(hunk, |e| !matches!(e, Edit::Removed(_)));
        let _ = writeln!(out, "@@ -{old_start},{old_len} +{new_start},{new_len} @@");
        for edit in hunk {
            if shown == MAX_SHOWN {
                let rest = edits.len() - shown;
                let _ = writeln!(out, "… the diff is cut here (at most {MAX_SHOWN} lines shown, {rest} lines compared after)");
                return out;
            }
            let _ = match edit {
                Edit::Same(l) => writeln!(out, " {l}"),
                Edit::Removed(l) => writeln!(out, "-{l}"),
                Edit::Added(l) => writeln!(out, "+{l}"),
            };
            shown += 1;
        }
        k += 1;
    }
    out
}

fn count(edits: &[Edit<'_>], keep: impl Fn(&Edit<'_>) -> bool) -> usize {
    edits.iter().filter(|e| keep(e)).count()
}

#[cfg(test)]
mod tests {
    use super::line_diff;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(line_diff("a\nb\n", "a\nb\n"), "");
    }

    #[test]
    fn a_changed_line_is_shown_with_its_context_and_position() {
        let old: String = (1..=20).map(|i| format!("line {i}\n")).collect();
        let new = old.replace("line 10\n", "line ten\n");
        assert_eq!(
            line_diff(&old, &new),
            "@@ -7,7 +7,7 @@\n line 7\n line 8\n line 9\n-line 10\n+line ten\n line 11\n line 12\n line 13\n"
        );
    }

    #[test]
    fn far_apart_changes_are_separate_hunks_and_near_ones_one() {
        let numbered = |changed: &[usize]| -> String {
            (1..=30)
                .map(|i| match changed.contains(&i) {
                    true => format!("changed {i}\n"),
                    false => format!("{i}\n"),
                })
                .collect()
        };
        let far = line_diff(&numbered(&[]), &numbered(&[2, 25]));
        assert_eq!(far.matches("@@ -").count(), 2, "{far}");
        assert!(far.starts_with("@@ -1,5 +1,5 @@\n"), "{far}");
        assert!(far.contains("@@ -22,7 +22,7 @@\n"), "{far}");
        let near = line_diff(&numbered(&[]), &numbered(&[2, 9]));
        assert_eq!(near.matches("@@ -").count(), 1, "{near}");
        assert!(near.starts_with("@@ -1,12 +1,12 @@\n"), "{near}");
    }

    #[test]
    fn insertions_and_removals_count_in_the_hunk_header() {
        assert_eq!(
            line_diff("a\nb\nc\n", "a\nx\ny\nb\n"),
            "@@ -1,3 +1,4 @@\n a\n+x\n+y\n b\n-c\n"
        );
        assert_eq!(line_diff("", "new\n"), "@@ -1,0 +1,1 @@\n+new\n");
    }

    #[test]
    fn only_the_final_newline_is_said_in_words() {
        assert_eq!(
            line_diff("a\n", "a"),
            "the texts differ only in the newline at the end\n"
        );
    }

    #[test]
    fn a_long_diff_is_cut_and_says_so() {
        let old: String = (0..1000).map(|i| format!("{i}\n")).collect();
        let new: String = (0..1000).map(|i| format!("x{i}\n")).collect();
        let diff = line_diff(&old, &new);
        assert!(diff.lines().count() <= 402, "{}", diff.lines().count());
        assert!(diff.contains("the diff is cut here"), "{diff}");
    }
}
