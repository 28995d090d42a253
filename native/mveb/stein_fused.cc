#include "mveb/stein_fused.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <c10/core/DeviceGuard.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>
#include <c10/util/Exception.h>

#include <array>

#include "cuda/stein_kernels.h"
#include "mveb/stein_math.h"

namespace {

// Set while the addon loads by the CUDA sources, when they are compiled in.
const MvebSteinCudaKernels* cudaKernels = nullptr;

MvebSteinDtype dtypeOf(const at::Tensor& tensor) {
  return tensor.scalar_type() == at::kDouble ? MVEB_STEIN_FLOAT64 : MVEB_STEIN_FLOAT32;
}

void checkCuda(int status, const char* what) {
  TORCH_CHECK(status == 0, "steinScore (fused, CUDA): ", what, " failed: ", cudaKernels->errorString(status));
}

template <typename T>
T bandwidthOnCpu(const T* similarity, int64_t count, double minBandwidth) {
  using namespace mveb::stein_math;
  RadixSelection<T> selection = radixStart<T>(halfTopKAscendingRank(static_cast<uint64_t>(count)));
  std::array<unsigned long long, kRadixBuckets> counts{};
  for (int pass = 0; pass < radixPasses<T>(); ++pass) {
    counts.fill(0);
    for (int64_t i = 0; i < count; ++i) {
      const auto key = RadixKey<T>::of(oneMinus(similarity[i]));
      if (radixMatches<T>(key, selection)) ++counts[radixDigit<T>(key, pass)];
    }
    radixDescend<T>(counts.data(), pass, selection);
  }
  return clampBandwidth<T>(RadixKey<T>::value(selection.prefix), minBandwidth);
}

template <typename T>
void kernelPassOnCpu(T* similarity, const T* z, int64_t n, int64_t d, T bandwidth, double eta, T* g) {
  using namespace mveb::stein_math;
  at::parallel_for(0, n, 16, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      T* s = similarity + row * n;
      T sum = 0;
      for (int64_t j = 0; j < n; ++j) {
        const T k = kernelEntry(s[j], bandwidth);
        sum += k;
        s[j] = regularisedEntry(k, j == row, eta);
      }
      for (int64_t c = 0; c < d; ++c) g[row * d + c] = gradientEntry(sum, z[row * d + c], bandwidth);
    }
  });
}

// The kernels run on ATen's default stream (id 0, the legacy stream): any other current
// stream would need its handle, which has no stable C++ API across the LibTorch versions we build on.
bool onDefaultStream(const at::Device& device) {
  return c10::impl::getDeviceGuardImpl(device.type())->getStream(device).id() == 0;
}

void checkOperands(const at::Tensor& similarity) {
  TORCH_CHECK(similarity.dim() == 2 && similarity.size(0) == similarity.size(1),
              "steinScore (fused): similarity must be square, got shape ", similarity.sizes());
  TORCH_CHECK(similarity.is_contiguous(), "steinScore (fused): similarity must be contiguous");
  TORCH_CHECK(similarity.scalar_type() == at::kFloat || similarity.scalar_type() == at::kDouble,
              "steinScore (fused): float32 or float64 only, got ", similarity.scalar_type());
}

}  // namespace

extern "C" void mveb_register_stein_cuda_kernels(const MvebSteinCudaKernels* kernels) { cudaKernels = kernels; }

namespace mveb {

bool fusedSteinAvailable(const at::Tensor& tensor, std::string* why) {
  if (tensor.device().is_cpu()) return true;
  auto refuse = [why](const char* reason) {
    if (why != nullptr) *why = reason;
    return false;
  };
  if (!tensor.is_cuda()) return refuse("the fused Stein estimator runs on CPU and CUDA only");
  if (cudaKernels == nullptr) return refuse("this addon was built without the CUDA sources (native/cuda)");
  if (!onDefaultStream(tensor.device())) return refuse("the fused CUDA kernels run on the default stream only");
  return true;
}

at::Tensor fusedBandwidth(const at::Tensor& similarity, double minBandwidth) {
  checkOperands(similarity);
  const int64_t n = similarity.size(0);
  at::Tensor bandwidth = at::empty({}, similarity.options());
  if (similarity.is_cuda()) {
    std::string why;
    TORCH_CHECK(fusedSteinAvailable(similarity, &why), "steinScore (fused): ", why);
    c10::DeviceGuard guard(similarity.device());
    at::Tensor workspace = at::empty({static_cast<int64_t>(cudaKernels->bandwidthWorkspaceBytes())},
                                     similarity.options().dtype(at::kByte));
    checkCuda(cudaKernels->bandwidth(dtypeOf(similarity), similarity.data_ptr(), n, minBandwidth, workspace.data_ptr(),
                                     bandwidth.data_ptr(), nullptr),
              "bandwidth selection");
    return bandwidth;
  }
  AT_DISPATCH_FLOATING_TYPES(similarity.scalar_type(), "fusedBandwidth", [&] {
    *bandwidth.data_ptr<scalar_t>() = bandwidthOnCpu(similarity.data_ptr<scalar_t>(), n * n, minBandwidth);
  });
  return bandwidth;
}

at::Tensor fusedKernelPass(at::Tensor& similarity, const at::Tensor& z, const at::Tensor& bandwidth, double eta) {
  checkOperands(similarity);
  TORCH_CHECK(z.dim() == 2 && z.size(0) == similarity.size(0) && z.is_contiguous() &&
                  z.scalar_type() == similarity.scalar_type() && z.device() == similarity.device(),
              "steinScore (fused): z must be contiguous [N, d] beside an N × N similarity of its dtype and device");
  TORCH_CHECK(bandwidth.numel() == 1 && bandwidth.scalar_type() == similarity.scalar_type() &&
                  bandwidth.device() == similarity.device(),
              "steinScore (fused): the bandwidth must be one value of the similarity's dtype and device");
  const int64_t n = z.size(0), d = z.size(1);
  at::Tensor g = at::empty_like(z);
  if (similarity.is_cuda()) {
    std::string why;
    TORCH_CHECK(fusedSteinAvailable(similarity, &why), "steinScore (fused): ", why);
    c10::DeviceGuard guard(similarity.device());
    checkCuda(cudaKernels->kernelPass(dtypeOf(similarity), similarity.data_ptr(), z.data_ptr(), n, d,
                                      bandwidth.data_ptr(), eta, g.data_ptr(), nullptr),
              "kernel pass");
    return g;
  }
  AT_DISPATCH_FLOATING_TYPES(similarity.scalar_type(), "fusedKernelPass", [&] {
    kernelPassOnCpu(similarity.data_ptr<scalar_t>(), z.data_ptr<scalar_t>(), n, d, *bandwidth.data_ptr<scalar_t>(), eta,
                    g.data_ptr<scalar_t>());
  });
  return g;
}

}  // namespace mveb
