# cmc_add_test(name SOURCES a.c b.c LIBS lib... LABELS unit)
# Registers one cmocka executable as one CTest test.
function(cmc_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} PkgConfig::CMOCKA)
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
  target_compile_definitions(${name} PRIVATE CMC_TEST_DATA_DIR="${CMAKE_SOURCE_DIR}/tests/data"
      CMC_BINARY_DIR="${CMAKE_BINARY_DIR}")
  cmc_warnings(${name})
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT 300)
endfunction()

# cmc_add_module(name SOURCES ... DEPS ...): a static library for one src/ module.
# Compiled position-independent with hidden visibility: the same objects go into libcmc.so
# (cmake/CmcShared.cmake), which then exports only what the public headers mark CMC_API.
# -fno-semantic-interposition keeps -fPIC from turning calls to our own exported functions
# into PLT calls that cannot be inlined (nobody interposes libcmc's functions).
include(CheckCCompilerFlag)
check_c_compiler_flag(-fno-semantic-interposition CMC_HAVE_NO_SEMANTIC_INTERPOSITION)
function(cmc_add_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${M_SOURCES})
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON
                        C_VISIBILITY_PRESET hidden)
  if(CMC_HAVE_NO_SEMANTIC_INTERPOSITION)
    target_compile_options(${name} PRIVATE -fno-semantic-interposition)
  endif()
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${M_DEPS})
  # OpenSSL's deprecated API does not even compile in libcmc, whatever the warning flags:
  # the engine reuses request keys (asn1_p10.c key pool), and the deprecated EC_KEY
  # accessors would keep a copy of an earlier request's point (asn1_local.h).
  target_compile_definitions(${name} PRIVATE OPENSSL_API_COMPAT=30000 OPENSSL_NO_DEPRECATED)
  cmc_warnings(${name})
endfunction()
