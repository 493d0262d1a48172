# Which fmt skelaug compiles and links against, chosen on purpose. A CUDA PyTorch wheel may ship fmt's headers in
# LibTorch's include folder; that folder is searched as a system folder before /usr/include, so <fmt/format.h> would
# silently come from LibTorch while the code links Debian's libfmt: two fmt versions in one program, and missing or
# mismatched symbols at link or run time.
#   skelaug_choose_fmt(INCLUDE_DIRS...) sets SKELAUG_FMT_SOURCE to "LibTorch <dir>" or "system" and makes fmt::fmt:
#   - LibTorch's headers, header-only (FMT_HEADER_ONLY: the code is compiled in, nothing of another fmt is linked),
#     when one of INCLUDE_DIRS that is not the compiler's own include folder (Debian's LibTorch lives in
#     /usr/include, beside the system fmt that libfmt belongs to) holds fmt/format.h;
#   - otherwise the fmt package (find_package(fmt)).
function(skelaug_choose_fmt)
  set(system_dirs)
  foreach(dir IN LISTS CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES)
    get_filename_component(dir "${dir}" REALPATH)
    list(APPEND system_dirs "${dir}")
  endforeach()
  foreach(dir IN LISTS ARGN)
    get_filename_component(real "${dir}" REALPATH)
    if(real IN_LIST system_dirs)
      continue()
    endif()
    if(EXISTS "${dir}/fmt/format.h")
      add_library(fmt::fmt INTERFACE IMPORTED GLOBAL)
      set_target_properties(fmt::fmt PROPERTIES INTERFACE_COMPILE_DEFINITIONS FMT_HEADER_ONLY=1
                                                 INTERFACE_INCLUDE_DIRECTORIES "${dir}")
      set(SKELAUG_FMT_SOURCE "LibTorch ${dir} (header-only)" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  find_package(fmt REQUIRED)
  set(SKELAUG_FMT_SOURCE "system ${fmt_VERSION}" PARENT_SCOPE)
endfunction()
