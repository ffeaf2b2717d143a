# Compiler warnings and hardening applied to every target of ours.
set(CMC_C_WARNINGS -Wall -Wextra -Wshadow -Wformat=2 -Wvla -Wstrict-prototypes
    -Wmissing-prototypes -Wno-unused-parameter -Wno-missing-field-initializers)
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
