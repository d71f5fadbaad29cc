# tests/plot.cmake - the network report's plots (gnuplot) and per-layer CSV.
# Included by tests/CMakeLists.txt.
pecos_c_test(test_plot test_plot.c)
pecos_c_test(test_report_csv test_report_csv.c)
add_test(NAME unit.plot_network_files_and_errors
  COMMAND test_plot ${CMAKE_CURRENT_BINARY_DIR}/plot_out)
add_test(NAME unit.report_csv_roundtrip
  COMMAND test_report_csv ${CMAKE_CURRENT_BINARY_DIR}/report_csv_out.csv)
set_tests_properties(unit.plot_network_files_and_errors unit.report_csv_roundtrip
  PROPERTIES LABELS unit)
