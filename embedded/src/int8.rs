//! The int8 LeNet-5 program, the same on the Cortex-M4 and the Cortex-M0: integer arithmetic
//! only (no float instruction or soft-float call in the inference path), weights viewed in
//! flash, activations in `.bss`.

use cortex_m_semihosting::hprintln;
use shaped::mem::{self, image};
use shaped::nn::Infer;

use crate::lenet::{ImageQ, LeNetQ, MACS, TEST};
use crate::{
    HOST_INT8, TEST_IMAGES, TEST_LABELS, Ticks, aligned_bytes, argmax, finish, zeroed_static,
};

type Scratch = <LeNetQ as Infer<ImageQ>>::Scratch;
type Logits = <LeNetQ as Infer<ImageQ>>::Output;

// The micro:bit has 16 KB of RAM: the int8 activations take a quarter of the f32 ones.
const _: () = mem::fits::<LeNetQ, ImageQ>(8 * 1024);

/// Classifies the 100 test images with the int8 model; exits 0 only if every prediction equals
/// the host's.
pub fn run(tag: &str, syst: cortex_m::peripheral::SYST) -> ! {
    crate::paint_stack();
    let mut ticks = Ticks::start(syst);
    let (calib_insns, calib_ticks) = ticks.calibrate();
    let model: &LeNetQ = match image::view(aligned_bytes!("../data/lenet-int8.img")) {
        Ok(m) => m,
        Err(e) => panic!("lenet-int8.img: {e}"),
    };
    let (x, scratch, y) = (
        zeroed_static!(ImageQ),
        zeroed_static!(Scratch),
        zeroed_static!(Logits),
    );
    let (mut right, mut same, mut spent) = (0, true, 0u64);
    for i in 0..TEST {
        let px = &TEST_IMAGES[i * 784..(i + 1) * 784];
        // Input scale 1/255, zero point −128.
        for (v, &p) in x.iter_mut().zip(px) {
            *v = (p as i32 - 128) as i8;
        }
        let t0 = ticks.now();
        model.infer(x, scratch, y);
        spent += ticks.now() - t0;
        let p = argmax(y.as_slice());
        right += usize::from(p == TEST_LABELS[i]);
        same &= p == HOST_INT8[i];
    }
    // Ticks × the calibrated rate, in integers (no float on the M0 either).
    let insns = spent * calib_insns / (calib_ticks * TEST as u64);
    hprintln!(
        "{}: {} instructions in {} SysTick ticks; library constants: scratch {} B, infer_bytes {} B, model {} B in flash",
        tag,
        calib_insns,
        calib_ticks,
        size_of::<Scratch>(),
        mem::infer_bytes::<LeNetQ, ImageQ>(),
        size_of::<LeNetQ>()
    );
    finish(tag, right, same, insns, MACS)
}
