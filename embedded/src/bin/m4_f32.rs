//! LeNet-5 in f32 on a Cortex-M4F: weights viewed in flash, input, output and scratch in
//! statics (`.bss`), the 100 embedded test images classified; exits 0 only if every prediction
//! equals the host's.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use shaped::mem::{self, image};
use shaped::nn::Infer;
use shaped_embedded::lenet::{Image, LeNet, MACS, TEST};
use shaped_embedded::{
    HOST_F32, TEST_IMAGES, TEST_LABELS, Ticks, aligned_bytes, argmax, finish, zeroed_static,
};

type Scratch = <LeNet as Infer<Image>>::Scratch;
type Logits = <LeNet as Infer<Image>>::Output;

/// The budget the issue sets for activations and scratch, and this program's RAM for them.
const _: () = mem::within(
    "LeNet-5's inference scratch",
    size_of::<Scratch>(),
    24 * 1024,
);
const _: () = mem::fits::<LeNet, Image>(32 * 1024);

#[entry]
fn main() -> ! {
    shaped_embedded::paint_stack();
    let cp = cortex_m::Peripherals::take().unwrap();
    let mut ticks = Ticks::start(cp.SYST);
    let (calib_insns, calib_ticks) = ticks.calibrate();
    let model: &LeNet = match image::view(aligned_bytes!("../../data/lenet-f32.img")) {
        Ok(m) => m,
        Err(e) => panic!("lenet-f32.img: {e}"),
    };
    let (x, scratch, y) = (
        zeroed_static!(Image),
        zeroed_static!(Scratch),
        zeroed_static!(Logits),
    );
    let (mut right, mut same, mut spent) = (0, true, 0u64);
    for i in 0..TEST {
        let px = &TEST_IMAGES[i * 784..(i + 1) * 784];
        for (v, &p) in x.iter_mut().zip(px) {
            *v = p as f32 / 255.0;
        }
        let t0 = ticks.now();
        model.infer(x, scratch, y);
        spent += ticks.now() - t0;
        let p = argmax(y.as_slice());
        right += usize::from(p == TEST_LABELS[i]);
        same &= p == HOST_F32[i];
    }
    let insns = spent * calib_insns / (calib_ticks * TEST as u64);
    hprintln!(
        "m4 f32: {} instructions in {} SysTick ticks; library constants: scratch {} B, infer_bytes {} B (input {} + scratch + output {}), model {} B in flash",
        calib_insns,
        calib_ticks,
        size_of::<Scratch>(),
        mem::infer_bytes::<LeNet, Image>(),
        size_of::<Image>(),
        size_of::<Logits>(),
        size_of::<LeNet>()
    );
    finish("m4 f32", right, same, insns, MACS)
}
