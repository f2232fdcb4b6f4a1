//! Work split over every core: parsing 100k resources is CPU work the cores can share, and a
//! directory's load or snapshot waits for it.

/// `f` over `items` on every core, in order: parsing 100k resources is CPU work the cores share.
pub fn par_map<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 || items.len() < 2_000 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(cores);
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<U>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// `f` over `items` split into one run per core, the runs' answers in order: for work that keeps
/// state along a run (what it has seen so far) rather than one answer per item.
pub fn par_chunks<T: Sync, U: Send>(items: &[T], f: impl Fn(&[T]) -> U + Sync) -> Vec<U> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 || items.len() < 2_000 {
        return vec![f(items)];
    }
    let chunk = items.len().div_ceil(cores);
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| f(part)))
            .collect();
        parts
            .into_iter()
            .map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_order_of_every_item() {
        let items: Vec<u32> = (0..10_001).collect();
        let doubled = super::par_map(&items, |n| n * 2);
        assert_eq!(doubled, items.iter().map(|n| n * 2).collect::<Vec<_>>());
    }

    #[test]
    fn runs_cover_every_item_once_in_order() {
        let items: Vec<u32> = (0..10_001).collect();
        let runs = super::par_chunks(&items, |run| run.to_vec());
        assert_eq!(runs.concat(), items);
        assert_eq!(super::par_chunks(&items[..3], <[u32]>::len), vec![3]);
    }
}
