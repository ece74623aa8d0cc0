# mnist_studio_classes(<target> <folder> <Name>...): adds <folder>/<Name>.h and, where there is one,
# <folder>/<Name>.cpp to <target> (paths relative to the calling CMakeLists.txt; "." for its own
# folder), so that a source list names each class once, grouped by folder.
function(mnist_studio_classes target folder)
  foreach(name IN LISTS ARGN)
    if(folder STREQUAL ".")
      set(base ${name})
    else()
      set(base ${folder}/${name})
    endif()
    target_sources(${target} PRIVATE ${base}.h)
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${base}.cpp)
      target_sources(${target} PRIVATE ${base}.cpp)
    endif()
  endforeach()
endfunction()
