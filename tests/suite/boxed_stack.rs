//! The boxed constructors never build their tensor on the stack: a 1.2 MB tensor is created in a
//! thread whose whole stack is 64 KiB. (A by-value `Tensor::zeros()` of that size overflows such a
//! stack, which aborts the process, so it is not a test here.)

use shaped::prelude::*;

/// 300 × 1024 f32 = 1,228,800 bytes, about 19 times the test thread's stack.
type Big = Tensor2<f32, U300, U1024>;
const SMALL_STACK: usize = 64 * 1024;

fn on_small_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(f)
        .expect("spawn a thread")
        .join()
        .expect("the thread must not overflow its stack")
}

#[test]
fn tensor_is_much_bigger_than_the_stack() {
    assert_eq!(size_of::<Big>(), 1_228_800);
    const { assert!(size_of::<Big>() > 16 * SMALL_STACK) };
}

#[test]
fn boxed_zeros_on_a_small_stack() {
    let sum = on_small_stack(|| Big::boxed_zeros().sum());
    assert_eq!(sum, 0.0);
}

#[test]
fn boxed_full_on_a_small_stack() {
    let (first, last) = on_small_stack(|| {
        let t = Big::boxed_full(1.5);
        (t[[0, 0]], t[[299, 1023]])
    });
    assert_eq!((first, last), (1.5, 1.5));
}

#[test]
fn boxed_from_flat_fn_on_a_small_stack() {
    let (a, b) = on_small_stack(|| {
        let t = Big::boxed_from_flat_fn(|i| i as f32);
        (t[[1, 2]], t[[299, 1023]])
    });
    assert_eq!((a, b), (1026.0, 307_199.0));
}

#[test]
fn boxed_zeroed_on_a_small_stack() {
    let len = on_small_stack(|| shaped::boxed_zeroed::<Big>().as_slice().len());
    assert_eq!(len, 300 * 1024);
}

#[test]
fn in_place_ops_on_boxed_tensors_stay_off_the_stack() {
    let (max, argmax) = on_small_stack(|| {
        let mut a = Big::boxed_full(1.0);
        let b = Big::boxed_from_flat_fn(|i| (i % 7) as f32);
        a.axpy(2.0, &b);
        *a += &*b;
        let mask = Tensor2::<bool, U300, U1024>::boxed_from_flat_fn(|i| i % 7 == 0);
        a.masked_fill(&mask, -1.0);
        let mut classes = Box::new(Tensor1::<usize, U300>::zeros());
        a.argmax_rows_into(&mut classes);
        (a.max(), classes[[0]])
    });
    // 1 + 3·(i mod 7) (−1 where i mod 7 = 0) peaks at i mod 7 = 6, first at column 6.
    assert_eq!((max, argmax), (19.0, 6));
}

#[test]
fn boxed_zeroed_aligned_on_a_small_stack() {
    let (addr, len, sum) = on_small_stack(|| {
        let mut t = shaped::boxed_zeroed_aligned::<Big>();
        t[[299, 1023]] = 2.0; // through Deref to the tensor
        (t.as_slice().as_ptr() as usize, t.as_slice().len(), t.sum())
    });
    assert_eq!(addr % 64, 0, "address {addr:#x} is not 64-byte aligned");
    assert_eq!((len, sum), (300 * 1024, 2.0));
    assert_eq!(align_of::<shaped::Aligned<Big>>(), 64);
    assert_eq!(size_of::<shaped::Aligned<Big>>(), size_of::<Big>()); // a multiple of 64: no padding
}
