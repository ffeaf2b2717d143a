# SPDX-License-Identifier: Apache-2.0
# libcmc allocates only through OPENSSL_malloc/zalloc/realloc/strdup and frees through
# OPENSSL_free, so CRYPTO_set_mem_functions sees every allocation of ours and
# test_engine_oom can fail any of them. This fails when a module archive calls the C
# library's allocator directly:
#   cmake -DNM=nm -DARCHIVES=a.a|b.a -P check_no_libc_alloc.cmake
cmake_minimum_required(VERSION 3.25)
foreach(v NM ARCHIVES)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "check_no_libc_alloc: -D${v}=... is required")
  endif()
endforeach()
string(REPLACE "|" ";" ARCHIVES "${ARCHIVES}")
set(libc_alloc malloc calloc realloc reallocarray free strdup strndup aligned_alloc
    posix_memalign memalign valloc asprintf vasprintf open_memstream getline getdelim)
set(bad FALSE)
foreach(a ${ARCHIVES})
  execute_process(COMMAND ${NM} -u ${a} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "check_no_libc_alloc: ${NM} -u ${a} failed")
  endif()
  get_filename_component(an ${a} NAME)
  set(member "")
  string(REGEX MATCHALL "[^\n]+" lines "${out}")
  foreach(l ${lines})
    if(l MATCHES "^(.+\\.o):$")
      set(member ${CMAKE_MATCH_1})
    elseif(l MATCHES "^ *U ([^ @]+)")
      if(CMAKE_MATCH_1 IN_LIST libc_alloc)
        message("problem: ${an}(${member}) calls ${CMAKE_MATCH_1}; use OPENSSL_${CMAKE_MATCH_1} and friends")
        set(bad TRUE)
      endif()
    endif()
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "check_no_libc_alloc: libcmc bypasses OpenSSL's allocator")
endif()
message("check_no_libc_alloc: no module calls the C library's allocator")
