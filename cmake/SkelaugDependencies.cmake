# Every external dependency is found here, once, and exposed as an imported or interface target.

# LibTorch: Debian's libtorch-dev (CPU) or the CUDA LibTorch inside PyTorch 2.x (pass its cmake_prefix_path).
find_package(Torch REQUIRED)
add_library(skelaug_torch INTERFACE)
add_library(skelaug::torch ALIAS skelaug_torch)
target_link_libraries(skelaug_torch INTERFACE ${TORCH_LIBRARIES})
target_include_directories(skelaug_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
separate_arguments(_skelaug_torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
target_compile_options(skelaug_torch INTERFACE ${_skelaug_torch_flags})
if(C10_CUDA_LIBRARY OR TORCH_CUDA_LIBRARIES)
  set(SKELAUG_TORCH_CUDA ON)
  target_compile_definitions(skelaug_torch INTERFACE SKELAUG_TORCH_CUDA=1)
else()
  set(SKELAUG_TORCH_CUDA OFF)
endif()

find_package(MPI REQUIRED COMPONENTS C)
find_package(yaml-cpp REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS log log_setup)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
include(SkelaugFmt)
skelaug_choose_fmt(${TORCH_INCLUDE_DIRS})

# Pictures: PLplot (plots as PNG and SVG through its cairo driver) and libgd (animated GIF of clips, and the frames
# of MP4 ones). Both are Debian packages with pkg-config files. Optional, since with their dependencies (cairo, pango,
# X11, fonts) they are some 500 MB of packages that a GPU host's carried bundle cannot hold; without them plots and
# GIF/MP4 clips are refused saying so, and HTML clips still work.
find_package(PkgConfig REQUIRED)
set(SKELAUG_PICTURES_ENABLED OFF)
if(NOT SKELAUG_WITH_PICTURES STREQUAL "OFF")
  pkg_check_modules(PLPLOT QUIET IMPORTED_TARGET plplot)
  pkg_check_modules(GDLIB QUIET IMPORTED_TARGET gdlib)
  if(PLPLOT_FOUND AND GDLIB_FOUND)
    set(SKELAUG_PICTURES_ENABLED ON)
  elseif(SKELAUG_WITH_PICTURES STREQUAL "ON")
    message(FATAL_ERROR "SKELAUG_WITH_PICTURES=ON but PLplot (found: ${PLPLOT_FOUND}) or libgd (found: "
                        "${GDLIB_FOUND}) is missing (Debian: libplplot-dev plplot-driver-cairo libgd-dev)")
  endif()
endif()

# MP4 clips: FFmpeg's libavcodec (H.264 through libx264), libavformat and libswscale. Optional, since their Debian
# packages pull in some forty codec libraries that a GPU host's carried bundle would rather not hold. The frames are
# drawn with libgd, so video needs pictures.
set(SKELAUG_VIDEO_ENABLED OFF)
if(SKELAUG_WITH_VIDEO STREQUAL "ON" AND NOT SKELAUG_PICTURES_ENABLED)
  message(FATAL_ERROR "SKELAUG_WITH_VIDEO=ON needs pictures (libgd draws the frames), which this build lacks")
endif()
if(NOT SKELAUG_WITH_VIDEO STREQUAL "OFF" AND SKELAUG_PICTURES_ENABLED)
  pkg_check_modules(LIBAV QUIET IMPORTED_TARGET libavcodec libavformat libavutil libswscale)
  if(LIBAV_FOUND)
    set(SKELAUG_VIDEO_ENABLED ON)
  elseif(SKELAUG_WITH_VIDEO STREQUAL "ON")
    message(FATAL_ERROR "SKELAUG_WITH_VIDEO=ON but FFmpeg's libavcodec, libavformat, libavutil or libswscale is "
                        "missing (Debian: libavcodec-dev libavformat-dev libswscale-dev)")
  endif()
endif()

# yaml-cpp 0.7 exports the plain target name; newer releases add a namespace.
if(TARGET yaml-cpp::yaml-cpp)
  set(SKELAUG_YAML_TARGET yaml-cpp::yaml-cpp)
else()
  set(SKELAUG_YAML_TARGET yaml-cpp)
endif()

# CUDA runtime + NCCL: optional. Compiled and linked wherever the toolkit exists, GPU or not.
set(SKELAUG_NCCL_ENABLED OFF)
if(NOT SKELAUG_WITH_NCCL STREQUAL "OFF")
  if(NOT CUDAToolkit_ROOT AND NOT DEFINED ENV{CUDAToolkit_ROOT} AND EXISTS /usr/local/cuda)
    set(CUDAToolkit_ROOT /usr/local/cuda)
  endif()
  find_package(CUDAToolkit QUIET)
  find_package(NCCL QUIET)
  if(CUDAToolkit_FOUND AND NCCL_FOUND)
    set(SKELAUG_NCCL_ENABLED ON)
  elseif(SKELAUG_WITH_NCCL STREQUAL "ON")
    message(FATAL_ERROR "SKELAUG_WITH_NCCL=ON but the CUDA toolkit (found: ${CUDAToolkit_FOUND}) "
                        "or NCCL (found: ${NCCL_FOUND}) is missing; set CUDAToolkit_ROOT / NCCL_ROOT")
  endif()
endif()

if(SKELAUG_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()

# Booleans for build_info.cpp.in.
foreach(_flag SKELAUG_TORCH_CUDA SKELAUG_NCCL_ENABLED SKELAUG_PICTURES_ENABLED SKELAUG_VIDEO_ENABLED)
  if(${_flag})
    set(${_flag}_BOOL true)
  else()
    set(${_flag}_BOOL false)
  endif()
endforeach()
if(NOT SKELAUG_NCCL_ENABLED)
  set(NCCL_VERSION "")
endif()
