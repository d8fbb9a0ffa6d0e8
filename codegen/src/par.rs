//! Work on threads, results in input order.
//!
//! A `build.rs` run is unoptimised code that cargo waits for with nothing else to do, and
//! the generator's work splits into independent pieces (one per spec file when reading,
//! one per module when writing); on a machine with several cores they run side by side.
//! What comes out does not depend on the order the threads finish in.

/// `f` applied to every item, each on a thread of its own (or here when no thread can be
/// had), in the order of `items`. A panic in `f` is passed on to the caller.
pub(crate) fn map<I: Sync, T: Send>(items: &[I], f: impl Fn(&I) -> T + Sync) -> Vec<T> {
    if items.len() < 2 {
        return items.iter().map(&f).collect();
    }
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .iter()
            .map(|item| {
                std::thread::Builder::new()
                    // As much stack as a main thread has: deserialising a document nested to
                    // the guard's limit recurses once per level.
                    .stack_size(8 << 20)
                    .spawn_scoped(scope, move || f(item))
            })
            .collect();
        handles
            .into_iter()
            .zip(items)
            .map(|(handle, item)| match handle {
                Ok(handle) => handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(_) => f(item),
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_input_order() {
        let items: Vec<u64> = (0..16).collect();
        let out = super::map(&items, |&i| {
            // Later items finish first.
            std::thread::sleep(std::time::Duration::from_millis(16 - i));
            i * 2
        });
        assert_eq!(out, (0..16).map(|i| i * 2).collect::<Vec<_>>());
    }

    #[test]
    #[should_panic(expected = "item 3")]
    fn a_panic_reaches_the_caller() {
        let items: Vec<u64> = (0..5).collect();
        super::map(&items, |&i| assert!(i != 3, "item 3"));
    }
}
