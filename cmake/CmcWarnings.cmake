# Compiler warnings and hardening applied to every target of ours.
set(CMC_C_WARNINGS -Wall -Wextra -Wshadow -Wformat=2 -Wvla -Wstrict-prototypes
    -Wmissing-prototypes -Wno-unused-parameter -Wno-missing-field-initializers
    # a call to a function with no declaration (OpenSSL's deprecated API is undeclared
    # in libcmc, cmake/CmcTest.cmake) must not compile as an implicit int function
    -Werror=implicit-function-declaration)
if(CMC_WERROR)
  list(APPEND CMC_C_WARNINGS -Werror)
endif()
add_compile_options(-fstack-protector-strong -D_FORTIFY_SOURCE=2 -D_GNU_SOURCE)
if(CMC_ASAN)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
function(cmc_warnings target)
  target_compile_options(${target} PRIVATE ${CMC_C_WARNINGS})
endfunction()
