# Write a copy of model/fs_check.cc with a deliberately planted bug: in a
# domain of 3 or more layers, the second layer's rules are ignored.  Only
# fuzz_kernel_planted is built with it (never the shipped model): it is the
# bug the kernel-differential target must find (fuzz/planted-bug).
#
#   cmake -DIN=model/fs_check.cc -DOUT=planted/fs_check.cc -P plant.cmake
file(READ "${IN}" src)
set(anchor "if (lr.layer < masks.n)\n\t\t\t\t\tapply(lr.layer, lr.rule, false);")
string(FIND "${src}" "${anchor}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "plant.cmake: the merged-index loop of unmask_inode() is not in "
    "${IN} any more: update the anchor so that the planted bug still applies")
endif()
set(bug "if (lr.layer < masks.n &&\n\t\t\t\t    !(masks.n >= 3 && lr.layer == 1)) /* PLANTED BUG */\n\t\t\t\t\tapply(lr.layer, lr.rule, false);")
string(REPLACE "${anchor}" "${bug}" out "${src}")
file(WRITE "${OUT}.tmp" "${out}")
file(RENAME "${OUT}.tmp" "${OUT}")
