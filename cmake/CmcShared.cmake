# libcmc.so: the module static libraries' objects linked into one shared library.
#
# The modules are compiled with -fPIC and -fvisibility=hidden (cmc_add_module), so the only
# symbols the library exports are those declared CMC_API in include/cmc/*.h; cmci_*
# internals stay hidden. tests/unit/shared checks the exported set against the headers.
# Tools and tests keep linking the static modules; nothing else links the shared library.

# Until 1.0 any minor release may change the ABI, so the SONAME carries the minor version
# (libcmc.so.0.1); from 1.0 on it is the major version alone.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(CMC_SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
else()
  set(CMC_SOVERSION ${PROJECT_VERSION_MAJOR})
endif()

# cmc_add_shared_library(name MODULES cmc_core ... DEPS <external libraries>)
function(cmc_add_shared_library name)
  cmake_parse_arguments(S "" "" "MODULES;DEPS" ${ARGN})
  set(objs)
  foreach(m ${S_MODULES})
    if(TARGET ${m})
      list(APPEND objs $<TARGET_OBJECTS:${m}>)
    endif()
  endforeach()
  add_library(${name} SHARED ${objs})
  set_target_properties(${name} PROPERTIES
      OUTPUT_NAME cmc
      VERSION ${PROJECT_VERSION}
      SOVERSION ${CMC_SOVERSION}
      LINKER_LANGUAGE C
      LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib)
  # The public headers include OpenSSL's, and the API passes OpenSSL objects.
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/include)
  target_link_libraries(${name} PUBLIC OpenSSL::Crypto PRIVATE ${S_DEPS})
  # Every symbol the modules need must come from a library named here. Sanitizer runtimes
  # are resolved by the executable, so the check is left out of those builds.
  if(NOT CMC_ASAN AND NOT CMC_FUZZ)
    target_link_options(${name} PRIVATE LINKER:--no-undefined)
  endif()
endfunction()
