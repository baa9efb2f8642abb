//! int8 quantization: the fixed-point requantization is exact, the quantized layers compute the
//! TFLite formulas in integers, fused ReLUs, and the committed LeNet-5 (embedded/data) keeps its
//! accuracy within 0.5 points on the 1000 bundled test images, with the host's predictions for
//! the device written next to it.

use shaped::mem::image;
use shaped::nn::Direct;
use shaped::prelude::*;
use shaped::quant::{self, QConv2d, QLinear, QParams, Quantize, Quantized, Range, Requant};
use shaped::rand::Rng;

#[path = "../../embedded/src/lenet.rs"]
#[allow(dead_code)]
mod lenet;

#[test]
fn requantization_is_round_half_up_of_the_exact_product() {
    let mut rng = Rng::new(1);
    for _ in 0..20_000 {
        let m = rng.uniform(1e-6, 4.0);
        let rq = Requant::new(m);
        assert!((rq.value() - m).abs() <= m * 1e-9, "{m}: {rq:?}");
        assert!((1 << 30..1i64 << 31).contains(&(rq.mult as i64)));
        let acc = (rng.next_u64() as i64 >> 40) as i32; // |acc| < 2^23
        // round(acc · mult / 2^(31 − shift)) with halves up, in exact integer arithmetic.
        let num = acc as i128 * rq.mult as i128;
        let den = 1i128 << (31 - rq.shift);
        let want = (num * 2 + den).div_euclid(2 * den) as i32;
        assert_eq!(rq.apply(acc), want, "acc {acc}, {rq:?}");
    }
    assert_eq!(Requant::new(0.5).apply(3), 2); // 1.5 rounds up
    assert_eq!(Requant::new(0.5).apply(-3), -1); // -1.5 rounds up too
}

#[test]
fn qparams_keep_zero_exact_and_cover_the_range() {
    let q = QParams::of(Range {
        min: -1.0,
        max: 3.0,
    });
    assert_eq!(q.quantize(0.0) as i32, q.zero);
    assert_eq!(q.quantize(-1.0), -128);
    assert_eq!(q.quantize(3.0), 127);
    assert_eq!(q.quantize(100.0), 127); // saturates
    let relu = QParams::of(Range { min: 0.0, max: 6.0 });
    assert_eq!(relu.zero, -128);
    assert!((relu.dequantize(127) - 6.0).abs() < 1e-6);
}

/// The quantized convolution against its formula evaluated naively in `i64`.
#[test]
fn qconv_is_the_integer_formula() {
    type Conv = Conv2d<f32, U2, U3, (U3, U2), (U2, U1), (U1, U1)>;
    let mut rng = Rng::new(5);
    let mut conv = Conv::zeros();
    conv.weight = Tensor::from_flat_fn(|_| rng.uniform(-1.0, 1.0));
    conv.bias = Tensor::from_flat_fn(|_| rng.uniform(-0.5, 0.5));
    let acts = [
        QParams {
            scale: 0.02,
            zero: -7,
        },
        QParams {
            scale: 0.05,
            zero: 3,
        },
    ];
    let mut q = shaped::boxed_zeroed::<QConv2d<U2, U3, (U3, U2), (U2, U1), (U1, U1)>>();
    conv.quantize_into(&acts, &mut q);
    let x = Tensor4::<i8, U1, U2, U5, U4>::from_flat_fn(|_| (rng.below(256) as i32 - 128) as i8);
    let y = q.apply(&x);
    let (oh, ow) = (3, 5); // (5 + 2 − 3)/2 + 1, (4 + 2 − 2)/1 + 1
    let (w, xs) = (q.weight.as_slice(), x.as_slice());
    let mut checked = 0;
    for f in 0..3 {
        let rq = Requant {
            mult: q.mult.as_slice()[f],
            shift: q.shift.as_slice()[f],
        };
        for oy in 0..oh {
            for ox in 0..ow {
                let mut acc = q.bias.as_slice()[f] as i64;
                for c in 0..2 {
                    for ky in 0..3 {
                        for kx in 0..2 {
                            let (iy, ix) = (oy as i64 * 2 + ky - 1, ox as i64 + kx - 1);
                            if (0..5).contains(&iy) && (0..4).contains(&ix) {
                                let xv = xs[(c * 5 + iy as usize) * 4 + ix as usize] as i64;
                                let wv =
                                    w[((f * 2 + c) * 3 + ky as usize) * 2 + kx as usize] as i64;
                                acc += (xv + 7) * wv;
                            }
                        }
                    }
                }
                let want = (3 + rq.apply(acc as i32)).clamp(-128, 127);
                assert_eq!(y.as_slice()[(f * oh + oy) * ow + ox] as i32, want);
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 45);
    // And it approximates the float layer: within two output steps plus rounding.
    let xf = Tensor4::<f32, U1, U2, U5, U4>::from_flat_fn(|i| acts[0].dequantize(xs[i]));
    for (&yq, &yf) in y.iter().zip(conv.apply(&xf).iter()) {
        assert!(
            (acts[1].dequantize(yq) - yf.clamp(-3.0 * 0.05 - 6.25, 6.2)).abs() < 0.1,
            "{yq} vs {yf}"
        );
    }
}

#[test]
fn qlinear_is_the_integer_formula_with_transposed_weights() {
    let mut rng = Rng::new(6);
    let mut lin = Linear::<f32, U5, U3>::zeros();
    lin.weight = Tensor::from_flat_fn(|_| rng.uniform(-1.0, 1.0));
    lin.bias = Tensor::from_flat_fn(|_| rng.uniform(-0.5, 0.5));
    let acts = [
        QParams {
            scale: 0.01,
            zero: 4,
        },
        QParams {
            scale: 0.03,
            zero: -2,
        },
    ];
    let mut q = shaped::boxed_zeroed::<QLinear<U5, U3>>();
    lin.quantize_into(&acts, &mut q);
    // Symmetric per output: the largest weight of each output column is ±127.
    for o in 0..3 {
        let row = &q.weight.as_slice()[o * 5..o * 5 + 5];
        assert_eq!(row.iter().map(|v| v.unsigned_abs()).max(), Some(127));
        let big = (0..5).max_by(|&a, &b| {
            let (wa, wb) = (
                lin.weight.as_slice()[a * 3 + o].abs(),
                lin.weight.as_slice()[b * 3 + o].abs(),
            );
            wa.partial_cmp(&wb).unwrap()
        });
        assert_eq!(row[big.unwrap()].unsigned_abs(), 127);
    }
    let x = Tensor2::<i8, U2, U5>::from_flat_fn(|_| (rng.below(256) as i32 - 128) as i8);
    let y = q.apply(&x);
    for b in 0..2 {
        for o in 0..3 {
            let mut acc = q.bias.as_slice()[o] as i64;
            for i in 0..5 {
                acc += (x.as_slice()[b * 5 + i] as i64 - 4) * q.weight.as_slice()[o * 5 + i] as i64;
            }
            let rq = Requant {
                mult: q.mult.as_slice()[o],
                shift: q.shift.as_slice()[o],
            };
            assert_eq!(
                y.as_slice()[b * 3 + o] as i32,
                (rq.apply(acc as i32) - 2).clamp(-128, 127)
            );
        }
    }
}

#[test]
fn relu_fuses_through_max_pooling_into_the_convolution() {
    type M = (
        Conv2d<f32, U1, U2, U3>,
        MaxPool2d<U2>,
        ReLU,
        Flatten,
        Linear<f32, U8, U2>,
    );
    let mut m = shaped::boxed_zeroed::<M>();
    m.init(shaped::init::Scheme::HeUniform, &mut Rng::new(2));
    let xs: Vec<Tensor4<f32, U1, U1, U6, U6>> = (0..16)
        .map(|k| Tensor::from_flat_fn(|i| ((i * 5 + k * 3) % 17) as f32 / 8.0 - 1.0))
        .collect();
    let ranges = quant::calibrate(&*m, &xs);
    assert_eq!(ranges.len(), 6);
    assert!(
        ranges[1].min < 0.0,
        "the conv output has negatives before fusion"
    );
    let q: Box<Quantized<M>> = quant::quantize(&*m, &ranges);
    // The conv's output is quantized on the ReLU's range: zero point −128, so its saturation is
    // the ReLU, and the pooling and the ReLU keep its parameters.
    assert_eq!(q.0.zero_out, -128);
    assert_eq!(q.2.zero, -128);
    assert_eq!(q.4.zero_in, -128);
    let input = quant::input_params(&ranges);
    let out = quant::output_params::<M>(&ranges);
    for x in &xs {
        let xq = Tensor4::<i8, U1, U1, U6, U6>::from_flat_fn(|i| input.quantize(x.as_slice()[i]));
        let (yq, yf) = (q.apply(&xq), m.apply(x));
        for (&a, &b) in yq.iter().zip(yf.iter()) {
            assert!(
                (out.dequantize(a) - b).abs() < 0.05 * (1.0 + b.abs()),
                "{a} vs {b}"
            );
        }
    }
}

fn read(name: &str) -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/embedded/data/");
    std::fs::read(format!("{path}{name}")).unwrap_or_else(|e| panic!("{path}{name}: {e}"))
}

/// An image file copied into 16-byte-aligned memory (a `Vec<u8>` promises no alignment).
fn aligned(bytes: &[u8]) -> Vec<u128> {
    let mut v = vec![0u128; bytes.len().div_ceil(16)];
    let dst = unsafe { std::slice::from_raw_parts_mut(v.as_mut_ptr().cast::<u8>(), bytes.len()) };
    dst.copy_from_slice(bytes);
    v
}

fn as_bytes(v: &[u128], len: usize) -> &[u8] {
    unsafe { std::slice::from_raw_parts(v.as_ptr().cast::<u8>(), len) }
}

fn argmax<T: PartialOrd + Copy>(v: &[T]) -> u8 {
    (0..v.len()).fold(0, |b, i| if v[i] > v[b] { i } else { b }) as u8
}

#[test]
fn int8_lenet_within_half_a_point_of_f32_on_1000_images_and_the_device_files_agree() {
    let f32_img = read("lenet-f32.img");
    let buf = aligned(&f32_img);
    let model: &lenet::LeNet = image::view(as_bytes(&buf, f32_img.len())).expect("f32 image");
    // Quantize afresh, as embedded_export does, and compare with the committed int8 image.
    let mnist = shaped::data::Mnist::bundled::<f32>().unwrap();
    let calib: Vec<lenet::Image> = (0..500)
        .map(|i| Tensor::from_flat_fn(|j| mnist.train.sample(i)[j]))
        .collect();
    let ranges = quant::calibrate(model, &calib);
    let q = quant::quantize(model, &ranges);
    assert_eq!(quant::input_params(&ranges).zero, -128);
    let int8_img = read("lenet-int8.img");
    assert_eq!(
        image::image::<lenet::LeNetQ>(&q),
        int8_img,
        "embedded/data/lenet-int8.img is stale: rerun embedded_export"
    );

    let (mut right32, mut right8) = (0, 0);
    let (mut pred32, mut pred8) = (Vec::new(), Vec::new());
    for i in 0..mnist.test.len() {
        let px: Vec<u8> = mnist
            .test
            .sample(i)
            .iter()
            .map(|&v| (v * 255.0).round() as u8)
            .collect();
        let x = lenet::Image::from_flat_fn(|j| px[j] as f32 / 255.0);
        let xq = lenet::ImageQ::from_flat_fn(|j| (px[j] as i32 - 128) as i8);
        let (p32, p8) = (
            argmax(model.apply(&x).as_slice()),
            argmax(q.apply(&xq).as_slice()),
        );
        let label = mnist.test.label(i) as u8;
        right32 += usize::from(p32 == label);
        right8 += usize::from(p8 == label);
        pred32.push(p32);
        pred8.push(p8);
    }
    let (a32, a8) = (right32 as f64 / 10.0, right8 as f64 / 10.0);
    println!("LeNet-5 on 1000 test images: f32 {a32}%, int8 {a8}%");
    assert!(a32 >= 97.0, "the committed f32 weights reach {a32}%");
    assert!((a32 - a8).abs() <= 0.5, "f32 {a32}%, int8 {a8}%");
    // What the device must reproduce.
    assert_eq!(read("host-f32.pred"), pred32[..lenet::TEST]);
    assert_eq!(read("host-int8.pred"), pred8[..lenet::TEST]);
    // Flash: int8 weights and i32 biases and multipliers, 26% of the f32 model (a quarter
    // exactly is impossible with 32-bit biases); activations: exactly a quarter.
    let (qs, fs) = (size_of::<lenet::LeNetQ>(), size_of::<lenet::LeNet>());
    assert!(qs * 100 <= fs * 27, "int8 {qs} B vs f32 {fs} B");
    type S32 = <lenet::LeNet as Infer<lenet::Image>>::Scratch;
    type S8 = <lenet::LeNetQ as Infer<lenet::ImageQ>>::Scratch;
    assert_eq!(4 * size_of::<S8>(), size_of::<S32>());
}

#[test]
fn images_refuse_other_models_and_layouts() {
    let f32_img = read("lenet-f32.img");
    let buf = aligned(&f32_img);
    let bytes = as_bytes(&buf, f32_img.len());
    type Other = (Direct<Conv2d<f32, U1, U6, U5, U1, U2>>, Linear<f32, U4, U4>);
    assert_eq!(
        image::view::<Other>(bytes).err(),
        Some(image::ImageError::Size {
            image: size_of::<lenet::LeNet>(),
            model: size_of::<Other>()
        })
    );
    assert_eq!(
        image::view::<lenet::LeNet>(&bytes[1..]).err(),
        Some(image::ImageError::NotAnImage)
    );
    assert_eq!(
        image::view::<lenet::LeNet>(&bytes[..1000]).err(),
        Some(image::ImageError::NotAnImage)
    );
    // A tensor moved: the offset table no longer matches this type's layout.
    let mut moved = f32_img.clone();
    moved[16] ^= 4;
    let buf = aligned(&moved);
    assert_eq!(
        image::view::<lenet::LeNet>(as_bytes(&buf, moved.len())).err(),
        Some(image::ImageError::Layout { index: 0 })
    );
}
