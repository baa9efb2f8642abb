//! Data augmentation without a heap: small random shifts keep a small training set from being
//! memorised.

/// Moves a row-major `rows × cols` image by `dx` columns and `dy` rows, in place; pixels moved in
/// from outside are `fill` (the background). Shifts of the image's size or more leave only `fill`.
///
/// ```
/// use shaped::data::augment::shift;
/// let mut image = [1, 2, 3, 4, 5, 6]; // 2 rows, 3 columns
/// shift(&mut image, 2, 3, 1, 0, 0);
/// assert_eq!(image, [0, 1, 2, 0, 4, 5]);
/// shift(&mut image, 2, 3, 0, -1, 9);
/// assert_eq!(image, [0, 4, 5, 9, 9, 9]);
/// ```
pub fn shift<T: Copy>(image: &mut [T], rows: usize, cols: usize, dx: isize, dy: isize, fill: T) {
    let image = &mut image[..rows * cols];
    // Visit pixels so that every source is read before it is overwritten: against the direction
    // of the move.
    let order = |n: usize, d: isize| -> (isize, isize, isize) {
        if d > 0 {
            (n as isize - 1, -1, -1)
        } else {
            (0, n as isize, 1)
        }
    };
    let (r0, r1, rs) = order(rows, dy);
    let (c0, c1, cs) = order(cols, dx);
    let mut r = r0;
    while r != r1 {
        let mut c = c0;
        while c != c1 {
            let (sr, sc) = (r - dy, c - dx);
            let inside = (0..rows as isize).contains(&sr) && (0..cols as isize).contains(&sc);
            image[r as usize * cols + c as usize] = if inside {
                image[sr as usize * cols + sc as usize]
            } else {
                fill
            };
            c += cs;
        }
        r += rs;
    }
}

#[cfg(test)]
mod tests {
    use super::shift;

    /// The plain definition, through a copy.
    fn shifted(image: &[i32], rows: usize, cols: usize, dx: isize, dy: isize) -> [i32; 20] {
        let mut out = [0; 20];
        for r in 0..rows as isize {
            for c in 0..cols as isize {
                let (sr, sc) = (r - dy, c - dx);
                if (0..rows as isize).contains(&sr) && (0..cols as isize).contains(&sc) {
                    out[(r * cols as isize + c) as usize] =
                        image[(sr * cols as isize + sc) as usize];
                }
            }
        }
        out
    }

    #[test]
    fn in_place_equals_the_definition_for_every_small_shift() {
        let image: [i32; 20] = core::array::from_fn(|i| i as i32 + 1);
        for dy in -5..=5 {
            for dx in -6..=6 {
                let mut got = image;
                shift(&mut got, 4, 5, dx, dy, 0);
                assert_eq!(got, shifted(&image, 4, 5, dx, dy), "dx {dx} dy {dy}");
            }
        }
    }
}
