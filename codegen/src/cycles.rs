//! Types that contain themselves by value.
//!
//! A `$ref` cycle is fine in a spec and in Rust as long as something on the way stores its
//! values on the heap: an array (`Vec`) or a map does. Without one, the Rust type would be
//! infinitely large (`struct Node { parent: Option<Node> }`), and a cycle of bare references
//! (`A: {$ref: A}`, or A ↔ B) names no type at all and would be emitted as `type A = A;`.
//! Both are reported with the cycle's path, on the lowered IR, where every way of making such
//! a cycle (`$ref`, single-member `allOf`/`oneOf`, properties, union variants) looks the same.
//!
//! The walk is iterative: a chain of ten thousand aliases must not exhaust the stack.

use std::collections::HashMap;

use crate::ir::{Api, TypeKind, TypeRef};

/// One cycle: the type it is reported at (its origin, `file#/pointer`) and the message.
pub(crate) struct Cycle {
    pub origin: String,
    pub message: String,
}

/// A type of the API: module (`None` for shared) and Rust name.
type Key = (Option<String>, String);

/// How one type holds another by value: through an alias, a field or a variant.
struct Edge {
    to: Key,
    /// `.field` or `::Variant`; empty for an alias.
    via: String,
}

pub(crate) fn find(api: &Api) -> Vec<Cycle> {
    let mut defs: Vec<(Key, &str, Vec<Edge>)> = Vec::new();
    let all = api.types.iter().map(|d| (None, d)).chain(
        api.modules
            .iter()
            .flat_map(|m| m.types.iter().map(move |d| (Some(m.name.clone()), d))),
    );
    for (module, def) in all {
        let mut edges = Vec::new();
        let mut add = |t: &TypeRef, via: String| {
            if let Some(to) = held_by_value(t) {
                edges.push(Edge { to, via });
            }
        };
        match &def.kind {
            TypeKind::Alias(t) => add(t, String::new()),
            TypeKind::Struct { fields, .. } => {
                for f in fields {
                    add(&f.ty, format!(".{}", f.rust_name));
                }
            }
            TypeKind::Tagged { variants, .. } | TypeKind::Untagged { variants } => {
                for v in variants {
                    add(&v.ty, format!("::{}", v.rust_name));
                }
            }
            TypeKind::Enum { .. } => {}
        }
        defs.push(((module, def.name.clone()), def.origin.as_str(), edges));
    }
    let index: HashMap<&Key, usize> = defs.iter().enumerate().map(|(i, d)| (&d.0, i)).collect();

    // 0: not visited, 1: on the current path, 2: done.
    let mut state = vec![0u8; defs.len()];
    let mut cycles = Vec::new();
    let mut reported: Vec<Vec<usize>> = Vec::new();
    for root in 0..defs.len() {
        if state[root] != 0 {
            continue;
        }
        // (node, next edge to follow)
        let mut path: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (node, ref mut next)) = path.last_mut() {
            let Some(edge) = defs[node].2.get(*next) else {
                state[node] = 2;
                path.pop();
                continue;
            };
            *next += 1;
            let Some(&target) = index.get(&edge.to) else {
                continue;
            };
            match state[target] {
                0 => {
                    state[target] = 1;
                    path.push((target, 0));
                }
                1 => {
                    let start = path.iter().position(|&(n, _)| n == target).unwrap_or(0);
                    let members: Vec<(usize, usize)> = path[start..].to_vec();
                    let mut set: Vec<usize> = members.iter().map(|m| m.0).collect();
                    set.sort_unstable();
                    if reported.contains(&set) {
                        continue;
                    }
                    reported.push(set);
                    cycles.push(describe(&defs, &members));
                }
                _ => {}
            }
        }
    }
    cycles
}

/// The message for a cycle whose members are `(type, 1 + the edge taken from it)`.
fn describe(defs: &[(Key, &str, Vec<Edge>)], members: &[(usize, usize)]) -> Cycle {
    let mut steps = String::new();
    let mut only_aliases = true;
    for &(node, next) in members {
        let edge = &defs[node].2[next - 1];
        only_aliases &= edge.via.is_empty();
        steps.push_str(&format!("{}{} → ", defs[node].0 .1, edge.via));
    }
    let first = members[0].0;
    steps.push_str(&defs[first].0 .1);
    let message = if only_aliases {
        format!("$ref cycle with no type in it: {steps}; each of these only names the next, so none of them is defined")
    } else {
        format!("`{}` contains itself with no array or map in between ({steps}): the Rust type would be infinitely large; link through an array, a map or an id instead", defs[first].0 .1)
    };
    Cycle {
        origin: defs[first].1.to_string(),
        message,
    }
}

/// The named type `t` stores inline (an `Option` does, a `Vec` or map does not).
fn held_by_value(t: &TypeRef) -> Option<Key> {
    match t {
        TypeRef::Named(p) => Some((p.module.clone(), p.name.clone())),
        TypeRef::Nullable(inner) => held_by_value(inner),
        _ => None,
    }
}
