# SPDX-License-Identifier: Apache-2.0
# Checks the symbols libcmc.so exports against the public headers. Run by ctest:
#   cmake -DLIB=libcmc.so -DNM=nm -DCC=cc -DHEADERS=<include/cmc dir> -DINCLUDES=a|b
#         [-DARCHIVES=libcmc_core.a|...] -P check_exports.cmake
#
# 1. The API is every declaration in include/cmc/*.h that carries CMC_API: the headers are
#    run through the C preprocessor with CMC_API predefined to a marker (cmc/error.h lets
#    it be predefined), so the declarations that OpenSSL's DECLARE_ASN1_* macros expand to
#    are counted as well.
# 2. `nm -D --defined-only LIB` must hold every API function, as a function, and nothing
#    else but the linker's own symbols (_init, _fini, _edata, _end, __bss_start). An
#    exported cmci_* symbol is named as such.
# 3. With ARCHIVES: every global symbol the module archives define is either cmci_*
#    (internal, hidden) or in the API, so a public function whose header declaration lacks
#    CMC_API is caught even though it would simply be missing from the library.
# Prints one line per problem and fails when there is any.
cmake_minimum_required(VERSION 3.25)

foreach(v LIB NM CC HEADERS)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "check_exports: -D${v}=... is required")
  endif()
endforeach()
string(REPLACE "|" ";" INCLUDES "${INCLUDES}")
string(REPLACE "|" ";" ARCHIVES "${ARCHIVES}")
set(marker __cmc_api_mark__)

# --- 1. the API from the headers ----------------------------------------------------------
file(GLOB headers ${HEADERS}/*.h)
if(NOT headers)
  message(FATAL_ERROR "check_exports: no headers in ${HEADERS}")
endif()
set(src "")
foreach(h ${headers})
  string(APPEND src "#include \"${h}\"\n")
endforeach()
string(RANDOM LENGTH 8 tag)
set(tmp ${CMAKE_CURRENT_BINARY_DIR}/check_exports_${tag}.c)
file(WRITE ${tmp} "${src}")
set(incflags)
foreach(i ${INCLUDES})
  list(APPEND incflags -I${i})
endforeach()
execute_process(COMMAND ${CC} -E -P ${incflags} -DCMC_API=${marker} ${tmp}
                OUTPUT_VARIABLE pp ERROR_VARIABLE pp_err RESULT_VARIABLE rc)
file(REMOVE ${tmp})
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "check_exports: preprocessing the headers failed:\n${pp_err}")
endif()
# One declaration per line: newlines out, semicolons in. Brackets would confuse CMake's
# list handling and carry nothing we need.
string(REPLACE "\n" " " pp "${pp}")
string(REPLACE "[" " " pp "${pp}")
string(REPLACE "]" " " pp "${pp}")
string(REPLACE ";" "\n" pp "${pp}")
string(REGEX MATCHALL "${marker}[^\n]*" decls "${pp}")
set(api)
foreach(d ${decls})
  # the name is the identifier right before the first "(" after the marker; a declaration
  # without one would be data, which we do not export (no such declaration exists today)
  if(d MATCHES "([A-Za-z_][A-Za-z0-9_]*)[ \t]*\\(")
    list(APPEND api ${CMAKE_MATCH_1})
  else()
    message("problem: CMC_API on something that is not a function: ${d}")
    set(problems TRUE)
  endif()
endforeach()
list(REMOVE_DUPLICATES api)
list(LENGTH api n_api)
if(n_api EQUAL 0)
  message(FATAL_ERROR "check_exports: found no CMC_API declaration in ${HEADERS}")
endif()

# --- 2. what the library exports ----------------------------------------------------------
execute_process(COMMAND ${NM} -D --defined-only ${LIB} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "check_exports: ${NM} -D ${LIB} failed")
endif()
string(REGEX MATCHALL "[^\n]+" lines "${out}")
set(linker_syms _init _fini _edata _end __bss_start)
set(exported)
foreach(l ${lines})
  if(NOT l MATCHES "^[0-9a-fA-F]* *([A-Za-z]) ([^ @]+)")
    continue()
  endif()
  set(type ${CMAKE_MATCH_1})
  set(sym ${CMAKE_MATCH_2})
  if(sym IN_LIST linker_syms)
    continue()
  endif()
  list(APPEND exported ${sym})
  if(sym MATCHES "^cmci_")
    message("problem: exported internal symbol: ${sym}")
    set(problems TRUE)
  elseif(NOT sym IN_LIST api)
    message("problem: exported but not declared CMC_API: ${sym} (nm type ${type})")
    set(problems TRUE)
  elseif(NOT type MATCHES "^[TtWi]$")
    message("problem: CMC_API symbol exported as data, not a function: ${sym} (nm type ${type})")
    set(problems TRUE)
  endif()
endforeach()
set(n_missing 0)
foreach(sym ${api})
  if(NOT sym IN_LIST exported)
    math(EXPR n_missing "${n_missing} + 1")
    if(n_missing LESS_EQUAL 20)
      message("problem: declared CMC_API but not exported: ${sym}")
    endif()
    set(problems TRUE)
  endif()
endforeach()
if(n_missing GREATER 20)
  math(EXPR n_more "${n_missing} - 20")
  message("problem: ... and ${n_more} more CMC_API functions not exported")
endif()

# --- 3. the archives' globals -------------------------------------------------------------
foreach(a ${ARCHIVES})
  execute_process(COMMAND ${NM} -g --defined-only ${a} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "check_exports: ${NM} ${a} failed")
  endif()
  get_filename_component(an ${a} NAME)
  string(REGEX MATCHALL "[^\n]+" lines "${out}")
  foreach(l ${lines})
    if(NOT l MATCHES "^[0-9a-fA-F]+ ([A-Za-z]) ([^ ]+)$")
      continue()
    endif()
    set(sym ${CMAKE_MATCH_2})
    # cmci_* is internal by name; __odr_asan.* and similar come from sanitizers
    if(sym MATCHES "^cmci_" OR sym MATCHES "^__(odr_asan|asan|ubsan|sancov)" OR sym IN_LIST api)
      continue()
    endif()
    message("problem: ${an} defines global ${sym}: neither cmci_* nor declared CMC_API")
    set(problems TRUE)
  endforeach()
endforeach()

list(LENGTH exported n_exp)
if(problems)
  # a plain message first: FATAL_ERROR text is re-wrapped, which regexes cannot rely on
  message("check_exports: FAILED: ${LIB} does not match the CMC_API declarations "
          "(${n_api} declared, ${n_exp} exported)")
  message(FATAL_ERROR "check_exports: see the problems above")
endif()
message("check_exports: ${LIB} exports exactly the ${n_api} CMC_API functions")
