# onnx.cmake: ONNX support. Generates the protobuf-c code for the onnx.proto that Debian's
# libonnx-dev ships (at build time, into the build tree), builds it as pecos_onnx_pb, and
# adds the ONNX loader, interpreter, golden operators and `pecos onnx-test` to pecos_core.
# Included from the top CMakeLists.txt after pecos_core is defined.
find_program(PECOS_PROTOC_C protoc-c)
if(NOT PECOS_PROTOC_C)
  message(FATAL_ERROR "protoc-c not found: install protobuf-c-compiler (scripts/setup.sh)")
endif()
find_file(PECOS_ONNX_PROTO onnx/onnx.proto PATHS /usr/include NO_DEFAULT_PATH)
if(NOT PECOS_ONNX_PROTO)
  message(FATAL_ERROR "onnx/onnx.proto not found: install libonnx-dev (scripts/setup.sh)")
endif()
find_package(PkgConfig REQUIRED)
pkg_check_modules(PECOS_PROTOBUFC REQUIRED IMPORTED_TARGET libprotobuf-c)

# onnx.proto is proto2 with `package onnx`: protoc-c takes it as it is; the generated names
# are Onnx__*, onnx__*. It is copied first so that the generated #include "onnx.pb-c.h"
# and the -I root are the build directory.
set(PECOS_ONNX_GEN ${CMAKE_BINARY_DIR}/onnx_pb)
add_custom_command(
  OUTPUT ${PECOS_ONNX_GEN}/onnx.pb-c.c ${PECOS_ONNX_GEN}/onnx.pb-c.h
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PECOS_ONNX_GEN}
  COMMAND ${CMAKE_COMMAND} -E copy ${PECOS_ONNX_PROTO} ${PECOS_ONNX_GEN}/onnx.proto
  COMMAND ${PECOS_PROTOC_C} --c_out=${PECOS_ONNX_GEN} -I${PECOS_ONNX_GEN} ${PECOS_ONNX_GEN}/onnx.proto
  DEPENDS ${PECOS_ONNX_PROTO}
  COMMENT "protoc-c: onnx.proto -> onnx.pb-c.{c,h}"
  VERBATIM)
add_library(pecos_onnx_pb STATIC ${PECOS_ONNX_GEN}/onnx.pb-c.c)
set_target_properties(pecos_onnx_pb PROPERTIES POSITION_INDEPENDENT_CODE ON)
target_include_directories(pecos_onnx_pb PUBLIC ${PECOS_ONNX_GEN})
target_link_libraries(pecos_onnx_pb PUBLIC PkgConfig::PECOS_PROTOBUFC)
