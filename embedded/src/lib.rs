//! What the device programs share: the model types, the embedded data, the cost counter
//! (SysTick under `qemu -icount shift=0`), the memory report (linker sections and a painted
//! stack), and a panic handler that ends QEMU with a failure status.
#![no_std]

pub mod int8;
#[path = "lenet.rs"]
pub mod lenet;

use core::ptr::addr_of;

use cortex_m::peripheral::{SYST, syst::SystClkSource};
use cortex_m_semihosting::{debug, hprintln};
pub use shaped::mem::image::Aligned;

/// A zeroed `static` of type `$t` (`.bss`: no flash, no startup copy), as `&'static mut $t`.
/// Each expansion is its own static; the program calls it once (in `main`, before any
/// interrupt could touch it). `shaped::mem::Static` does the same safely where the target has
/// atomics; the Cortex-M0 has none, so the programs share this.
#[macro_export]
macro_rules! zeroed_static {
    ($t:ty) => {{
        static mut VALUE: core::mem::MaybeUninit<$t> = core::mem::MaybeUninit::zeroed();
        // SAFETY: zeroed bytes are a valid `$t` (`shaped::Zeroable`), and this expansion runs
        // once, so the reference is the only one.
        unsafe { (*core::ptr::addr_of_mut!(VALUE)).assume_init_mut() }
    }};
}

/// Embeds a file with 16-byte alignment (model images are viewed in place).
#[macro_export]
macro_rules! aligned_bytes {
    ($path:expr) => {{
        static BYTES: &$crate::Aligned<[u8]> = &$crate::Aligned(*include_bytes!($path));
        &BYTES.0
    }};
}

/// The first 100 bundled test images (28×28 pixels, 0..255), their labels, and what the host
/// predicted for them (f32 and int8).
pub static TEST_IMAGES: &[u8; lenet::TEST * 784] = include_bytes!("../data/test-images.u8");
pub static TEST_LABELS: &[u8; lenet::TEST] = include_bytes!("../data/test-labels.u8");
pub static HOST_F32: &[u8; lenet::TEST] = include_bytes!("../data/host-f32.pred");
pub static HOST_INT8: &[u8; lenet::TEST] = include_bytes!("../data/host-int8.pred");

/// The index of the largest value (the first on ties).
pub fn argmax<T: PartialOrd + Copy>(v: &[T]) -> u8 {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best as u8
}

// ---- Cost: SysTick ticks ----

const RELOAD: u32 = 0x00ff_ffff;

/// A tick counter: SysTick's 24-bit down-counter, its wraps counted by polling
/// the COUNTFLAG in [`Ticks::now`] (no interrupt), so calls must come less than 2^24 ticks apart
/// (16.7 billion instructions at 1000 per tick: far more than one inference).
pub struct Ticks {
    syst: SYST,
    wraps: u64,
}

impl Ticks {
    /// Starts SysTick on the reference clock. (QEMU 7.2's mps2 boards leave SysTick's core-clock
    /// source unclocked: it never counts; the 1 MHz reference clock does, which at
    /// `-icount shift=0`, one instruction per nanosecond, is 1000 instructions per tick.)
    pub fn start(mut syst: SYST) -> Ticks {
        syst.set_clock_source(SystClkSource::External);
        syst.set_reload(RELOAD);
        syst.clear_current();
        syst.disable_interrupt();
        syst.enable_counter();
        // The counter holds 0 until its first clock loads the reload value.
        while SYST::get_current() == 0 {}
        let _ = syst.has_wrapped();
        Ticks { syst, wraps: 0 }
    }

    /// Ticks since start.
    pub fn now(&mut self) -> u64 {
        let mut cur = SYST::get_current();
        if self.syst.has_wrapped() {
            // It wrapped since the last call, perhaps after `cur` was read: read again.
            self.wraps += 1;
            cur = SYST::get_current();
        }
        self.wraps * (RELOAD as u64 + 1) + (RELOAD - cur) as u64
    }

    /// The clock's rate as `(instructions, ticks)`, measured on a loop of known length
    /// (`-icount shift=0` makes the virtual clock advance 1 ns per instruction; SysTick counts
    /// its reference clock: 1 MHz on mps2-an386, 16 MHz on the micro:bit).
    pub fn calibrate(&mut self) -> (u64, u64) {
        const N: u32 = 1_000_000;
        let t0 = self.now();
        // Two instructions per iteration: `subs` and `bne`.
        unsafe {
            core::arch::asm!(
                "2:",
                "subs {n}, {n}, #1",
                "bne 2b",
                n = inout(reg) N => _,
                options(nomem, nostack),
            );
        }
        (2 * N as u64, self.now() - t0)
    }
}

// ---- Memory: linker sections and the painted stack ----

unsafe extern "C" {
    static __stext: u8;
    static __etext: u8;
    static __srodata: u8;
    static __erodata: u8;
    static __sdata: u8;
    static __edata: u8;
    static __sbss: u8;
    static __ebss: u8;
    static _stack_start: u8;
}

/// Bytes of each linker section.
pub struct Sections {
    pub text: usize,
    pub rodata: usize,
    pub data: usize,
    pub bss: usize,
}

impl Sections {
    pub fn read() -> Sections {
        let span = |a: *const u8, b: *const u8| b as usize - a as usize;
        // Taking the address of an extern static is safe; nothing is read.
        Sections {
            text: span(addr_of!(__stext), addr_of!(__etext)),
            rodata: span(addr_of!(__srodata), addr_of!(__erodata)),
            data: span(addr_of!(__sdata), addr_of!(__edata)),
            bss: span(addr_of!(__sbss), addr_of!(__ebss)),
        }
    }

    /// Flash: code, constants and the initial values of `.data`.
    pub fn flash(&self) -> usize {
        self.text + self.rodata + self.data
    }

    /// Static RAM: `.data` and `.bss`.
    pub fn ram(&self) -> usize {
        self.data + self.bss
    }
}

const PAINT: u32 = 0x5afe_c0de;

/// Fills the free stack (from the end of `.bss` up to just below the current stack pointer) with
/// a pattern; [`stack_peak`] finds how deep the stack went since.
#[inline(never)]
pub fn paint_stack() {
    let sp = cortex_m::register::msp::read() as usize;
    let mut p = addr_of!(__ebss) as usize;
    p = (p + 3) & !3;
    while p + 64 < sp {
        unsafe { core::ptr::write_volatile(p as *mut u32, PAINT) };
        p += 4;
    }
}

/// The deepest the stack went since [`paint_stack`]: bytes from its top.
pub fn stack_peak() -> usize {
    let top = addr_of!(_stack_start) as usize;
    let mut p = (addr_of!(__ebss) as usize + 3) & !3;
    while p < top && unsafe { core::ptr::read_volatile(p as *const u32) } == PAINT {
        p += 4;
    }
    top - p
}

/// `n` bytes in KB, rounded up.
pub fn kb(n: usize) -> usize {
    n.div_ceil(1024)
}

/// Prints the report line and the details, and ends QEMU: status 0 only if `ok`.
pub fn finish(tag: &str, right: usize, same: bool, insns: u64, macs: u64) -> ! {
    let s = Sections::read();
    let stack = stack_peak();
    hprintln!(
        "{}: acc {}% flash {} KB ram {} KB stack {} KB insns {}",
        tag,
        right * 100 / lenet::TEST,
        kb(s.flash()),
        kb(s.ram() + stack),
        kb(stack),
        insns
    );
    hprintln!(
        "{}: text {} B, rodata {} B, data {} B, bss {} B, peak stack {} B; {} MACs per inference, {}.{:02} instructions per MAC; predictions {} the host's",
        tag,
        s.text,
        s.rodata,
        s.data,
        s.bss,
        stack,
        macs,
        insns / macs,
        (insns % macs) * 100 / macs,
        if same { "equal" } else { "DIFFER FROM" }
    );
    debug::exit(if same {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    #[allow(clippy::empty_loop)]
    loop {}
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("panic: {}", info);
    debug::exit(debug::EXIT_FAILURE);
    #[allow(clippy::empty_loop)]
    loop {}
}
