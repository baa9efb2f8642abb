//! Fine-tuning LeNet-5's last layer on the Cortex-M4F: the head is reset to random weights, then
//! trained with SGD on 200 embedded training images for a few epochs while the rest stays frozen
//! in flash; prints the loss per epoch and the accuracy on the 100 test images before and after.
//! Exits 0 only if the accuracy rose.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use shaped::init::Scheme;
use shaped::mem::{self, image};
use shaped::nn::{Grads, Infer, Loss, SoftmaxCrossEntropy};
use shaped::optim::{Optimizer, Sgd};
use shaped::prelude::*;
use shaped::rand::Rng;
use shaped_embedded::lenet::{Features, Head, Image, LeNet, TEST, TRAIN};
use shaped_embedded::{TEST_IMAGES, TEST_LABELS, aligned_bytes, argmax, kb, zeroed_static};

static TRAIN_IMAGES: &[u8; TRAIN * 784] = include_bytes!("../../data/train-images.u8");
static TRAIN_LABELS: &[u8; TRAIN] = include_bytes!("../../data/train-labels.u8");

/// Samples per SGD step.
type B = U10;
type Feats = Tensor2<f32, U1, U84>;
type Batch = Tensor2<f32, B, U84>;
type Logits = Tensor2<f32, B, U10>;
type FScratch = <Features as Infer<Image>>::Scratch;
const EPOCHS: usize = 8;

/// Head training RAM as the library counts it: parameters, gradients, SGD's (empty) state, the
/// cache, the input batch, the logits and their gradient.
const TRAIN_RAM: usize = mem::train_bytes::<f32, Head, Batch, Sgd<f32>>();
/// Everything this program keeps in RAM: the head's training, the frozen part's inference
/// (one image, its scratch, its output), and the 200 training images' features.
const RAM: usize = TRAIN_RAM + mem::infer_bytes::<Features, Image>() + TRAIN * size_of::<Feats>();
const _: () = mem::within("fine-tuning the head", RAM, 256 * 1024);

#[entry]
fn main() -> ! {
    shaped_embedded::paint_stack();
    // The frozen feature extractor is the first part of the f32 image, in flash.
    let lenet: &LeNet = match image::view(aligned_bytes!("../../data/lenet-f32.img")) {
        Ok(m) => m,
        Err(e) => panic!("lenet-f32.img: {e}"),
    };
    let head = zeroed_static!(Head);
    let grads = zeroed_static!(Grads<Head>);
    let x = zeroed_static!(Image);
    let fscratch = zeroed_static!(FScratch);
    let feats = zeroed_static!([Feats; TRAIN]);
    let test_feats = zeroed_static!([Feats; TEST]);
    let batch = zeroed_static!(Batch);
    let (logits, dlogits) = (zeroed_static!(Logits), zeroed_static!(Logits));

    // Features of every image, once: the frozen layers run in evaluation mode (what
    // `Frozen<Features>` does in a training forward pass) and need no backward pass.
    let features = |pixels: &[u8], x: &mut Image, s: &mut FScratch, out: &mut Feats| {
        for (v, &p) in x.iter_mut().zip(pixels) {
            *v = p as f32 / 255.0;
        }
        infer_features(lenet, x, s, out);
    };
    for (i, f) in feats.iter_mut().enumerate() {
        features(&TRAIN_IMAGES[i * 784..(i + 1) * 784], x, fscratch, f);
    }
    for (i, f) in test_feats.iter_mut().enumerate() {
        features(&TEST_IMAGES[i * 784..(i + 1) * 784], x, fscratch, f);
    }

    head.init(Scheme::HeUniform, &mut Rng::new(7));
    let before = accuracy(head, test_feats);
    let mut sgd = Sgd::<f32>::new().lr(0.05);
    let labels_of =
        |start: usize| Tensor1::<usize, B>::from_flat_fn(|j| TRAIN_LABELS[start + j] as usize);
    for epoch in 0..EPOCHS {
        let mut loss_sum = 0.0;
        for start in (0..TRAIN).step_by(B::USIZE) {
            for j in 0..B::USIZE {
                batch
                    .outer_mut(j)
                    .copy_from_slice(feats[start + j].as_slice());
            }
            head.forward(batch, Ctx::train(0), &mut (), logits);
            loss_sum += SoftmaxCrossEntropy.loss_and_grad(logits, &labels_of(start), dlogits);
            grads.zero();
            head.backward(batch, &mut (), dlogits, None, Some(grads));
            sgd.step(head, grads);
        }
        hprintln!(
            "m4 train: epoch {} loss {:.4}",
            epoch + 1,
            loss_sum / (TRAIN / B::USIZE) as f32
        );
    }
    let after = accuracy(head, test_feats);
    hprintln!(
        "m4 train: last layer reset to random, {} epochs of SGD on {} images: acc {}% -> {}% on {} test images",
        EPOCHS,
        TRAIN,
        before,
        after,
        TEST
    );
    hprintln!(
        "m4 train: ram {} KB (library constants: head training {} B = params {} + grads {} + SGD state 0 + batch, logits, dlogits; frozen part's inference {} B; features {} B), peak stack {} B",
        kb(RAM),
        TRAIN_RAM,
        size_of::<Head>(),
        size_of::<Grads<Head>>(),
        mem::infer_bytes::<Features, Image>(),
        TRAIN * size_of::<Feats>(),
        shaped_embedded::stack_peak()
    );
    debug::exit(if after > before {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    #[allow(clippy::empty_loop)]
    loop {}
}

/// The viewed LeNet's feature extractor.
fn infer_features(lenet: &LeNet, x: &Image, s: &mut FScratch, out: &mut Feats) {
    lenet.0.infer(x, s, out);
}

/// Accuracy in percent of `head` on the test features.
fn accuracy(head: &Head, feats: &[Feats; TEST]) -> usize {
    let mut right = 0;
    for (i, f) in feats.iter().enumerate() {
        let y: Tensor2<f32, U1, U10> = head.apply(f);
        right += usize::from(argmax(y.as_slice()) == TEST_LABELS[i]);
    }
    right * 100 / TEST
}
