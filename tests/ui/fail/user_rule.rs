// A user's own layer with its own shape rule, fed 3 features where it gates 2.
use shaped::nn::Infer;
use shaped::prelude::*;
use shaped::shape::DimEq;

shaped::shape_rule! {
    /// A `Gate<F>` scales exactly `F` features.
    pub struct GateFeatures {
        message: "shape error (Gate input features): got {G}, expected {E}",
        label: "this Gate's width does not match the previous layer's output",
    }
}

#[derive(shaped::Params, shaped::Zeroable)]
#[params(elem = f32)]
struct Gate<F: Dim> {
    #[param]
    g: Tensor<f32, (F,)>,
}

impl<B: Dim, F: Dim, F2> Infer<Tensor<f32, (B, F2)>> for Gate<F>
where
    F2: Dim + DimEq<F, GateFeatures>,
{
    type Output = Tensor<f32, (B, F2)>;
    type Scratch = ();
    fn infer(&self, x: &Tensor<f32, (B, F2)>, _: &mut (), y: &mut Self::Output) {
        y.as_mut_slice().copy_from_slice(x.as_slice());
    }
}

fn main() {
    let gate = Gate::<U2>::zeroed();
    let _ = gate.apply(&Tensor2::<f32, U4, U3>::zeros());
}
