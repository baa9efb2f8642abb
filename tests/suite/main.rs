//! All integration tests in one crate (one link, one test binary): each file is a module.

mod boxed_stack;
mod conv_common;
mod conv_layer;
mod conv_pool;
mod conv_shapes;
mod conv_weights;
mod data_batch;
mod data_idx;
mod data_metrics;
mod gradcheck_layers;
mod gradcheck_losses;
mod init;
mod kernel;
mod nn_activation;
mod nn_loss;
mod nn_network;
mod ops_broadcast;
mod ops_elementwise;
mod ops_matmul;
mod ops_reduce;
mod ops_reshape;
mod ops_select;
mod optim_clip;
mod optim_minimise;
mod optim_reference;
mod weights;
