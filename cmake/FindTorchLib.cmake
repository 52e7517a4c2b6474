# Locate libtorch: a CUDA or CPU libtorch through Torch_DIR, else Debian's libtorch-dev.
# Defines the imported target perturbscope::torch and PERTURBSCOPE_TORCH_VERSION.
find_package(Torch QUIET)
if(Torch_FOUND)
  add_library(perturbscope_torch INTERFACE)
  target_link_libraries(perturbscope_torch INTERFACE ${TORCH_LIBRARIES})
  target_include_directories(perturbscope_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
  # TorchConfig puts -D_GLIBCXX_USE_CXX11_ABI and friends into TORCH_CXX_FLAGS.
  separate_arguments(_ps_torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
  target_compile_options(perturbscope_torch INTERFACE ${_ps_torch_flags})
else()
  # Debian ships the headers and libraries without a CMake package.
  find_path(PS_TORCH_INCLUDE torch/csrc/api/include/torch/torch.h PATHS /usr/include)
  find_path(PS_ATEN_INCLUDE ATen/ATen.h PATHS /usr/include)
  find_library(PS_TORCH_LIB torch)
  find_library(PS_TORCH_CPU_LIB torch_cpu)
  find_library(PS_C10_LIB c10)
  if(NOT PS_ATEN_INCLUDE OR NOT PS_TORCH_CPU_LIB OR NOT PS_C10_LIB)
    message(FATAL_ERROR "libtorch not found: install Debian's libtorch-dev (scripts/setup.sh does) "
                        "or point Torch_DIR at a libtorch's share/cmake/Torch folder.")
  endif()
  add_library(perturbscope_torch INTERFACE)
  target_include_directories(perturbscope_torch SYSTEM INTERFACE ${PS_ATEN_INCLUDE})
  if(PS_TORCH_INCLUDE)
    target_include_directories(perturbscope_torch SYSTEM INTERFACE ${PS_TORCH_INCLUDE}/torch/csrc/api/include)
  endif()
  target_link_libraries(perturbscope_torch INTERFACE ${PS_TORCH_CPU_LIB} ${PS_C10_LIB})
  if(PS_TORCH_LIB)
    target_link_libraries(perturbscope_torch INTERFACE ${PS_TORCH_LIB})
  endif()
endif()
add_library(perturbscope::torch ALIAS perturbscope_torch)

# at::parallel_for is a header template: with an OpenMP build of ATen (Debian's and the
# official ones) its `#pragma omp parallel` is compiled into *our* objects, and without
# -fopenmp it silently runs on one thread. Our torch code gets the same OpenMP as ATen.
find_package(OpenMP QUIET COMPONENTS CXX)
if(OpenMP_CXX_FOUND)
  target_link_libraries(perturbscope_torch INTERFACE OpenMP::OpenMP_CXX)
else()
  message(WARNING "OpenMP not found: at::parallel_for in PerturbScope's own kernels will run on one thread")
endif()
