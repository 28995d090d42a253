# A CUDA LibTorch as the targets the addon links, without find_package(Torch).
#
# TorchConfig's CUDA detection (Caffe2's public/cuda.cmake, on the deprecated FindCUDA) wants one
# full CUDA toolkit — cuBLAS, cuDNN, NVRTC, the driver stub — and links all of it. A pip torch
# keeps those libraries in its nvidia/ wheels, so with nvcc and the CUDA runtime alone (a common
# machine, and this project's CI) it stops with "Your installed Caffe2 version uses CUDA but I
# cannot find the CUDA libraries". The addon needs LibTorch's own five libraries, the CUDA
# runtime (its kernels) and, for the process group, NCCL: it names those, as PyTorch's
# cpp_extension does, and libtorch_cuda finds the rest itself at load time.
#
# In: Torch_DIR, MVEB_TORCH_INCLUDE_DIRS, MVEB_TORCH_LIB_DIR, MVEB_TORCH_CXX11_ABI (find-libtorch.mjs).
# Out: TORCH_INCLUDE_DIRS, TORCH_LIBRARIES, TORCH_CXX_FLAGS, as find_package(Torch) sets them.
find_package(CUDAToolkit REQUIRED)

set(TORCH_INCLUDE_DIRS ${MVEB_TORCH_INCLUDE_DIRS} ${CUDAToolkit_INCLUDE_DIRS})
# cuBLAS, cuSPARSE and cuSOLVER headers (ATen's CUDA headers include them) come with the
# toolkit or, for a pip torch, with its nvidia/cu* wheels; they are searched after the toolkit.
get_filename_component(MVEB_SITE_PACKAGES "${Torch_DIR}/../../../.." ABSOLUTE)
file(GLOB MVEB_PIP_CUDA_INCLUDES "${MVEB_SITE_PACKAGES}/nvidia/cu*/include" "${MVEB_SITE_PACKAGES}/nvidia/*/include")
list(APPEND TORCH_INCLUDE_DIRS ${MVEB_PIP_CUDA_INCLUDES})

set(TORCH_LIBRARIES)
foreach(library c10 torch_cpu c10_cuda torch_cuda torch)
  unset(MVEB_TORCH_LIBRARY CACHE)
  find_library(MVEB_TORCH_LIBRARY ${library} PATHS "${MVEB_TORCH_LIB_DIR}" NO_DEFAULT_PATH)
  if(NOT MVEB_TORCH_LIBRARY)
    message(FATAL_ERROR "mveb-torch: lib${library}.so is missing from the CUDA LibTorch in ${MVEB_TORCH_LIB_DIR}")
  endif()
  list(APPEND TORCH_LIBRARIES "${MVEB_TORCH_LIBRARY}")
endforeach()
unset(MVEB_TORCH_LIBRARY CACHE)

# One target carries it all to whatever links TORCH_LIBRARIES, as TorchConfig's `torch` does.
add_library(mveb_libtorch_cuda INTERFACE IMPORTED)
target_include_directories(mveb_libtorch_cuda INTERFACE ${TORCH_INCLUDE_DIRS})
target_link_libraries(mveb_libtorch_cuda INTERFACE ${TORCH_LIBRARIES} CUDA::cudart)
# What torch_cpu's target defines for its users.
target_compile_definitions(mveb_libtorch_cuda INTERFACE USE_DISTRIBUTED)
set(TORCH_LIBRARIES mveb_libtorch_cuda)
set(TORCH_CXX_FLAGS "-D_GLIBCXX_USE_CXX11_ABI=${MVEB_TORCH_CXX11_ABI}")
