# The window (offscreen) and the real app under Xvfb.
loopscope_add_test(tst_app WIDGETS
    LIBS loopscope_app Qt6::Network
    LABELS "app" TIMEOUT 300)
target_compile_definitions(tst_app PRIVATE LOOPSCOPE_BINARY="$<TARGET_FILE:loopscope>")
add_dependencies(tst_app loopscope)

# Packaging metadata passes the validators desktop environments and software centres use.
find_program(DESKTOP_FILE_VALIDATE desktop-file-validate)
find_program(APPSTREAMCLI appstreamcli)
if(DESKTOP_FILE_VALIDATE)
    add_test(NAME desktop_file_valid COMMAND ${DESKTOP_FILE_VALIDATE}
        ${PROJECT_SOURCE_DIR}/packaging/io.github.loopscope.Loopscope.desktop)
    set_tests_properties(desktop_file_valid PROPERTIES LABELS "packaging")
endif()
if(APPSTREAMCLI)
    add_test(NAME metainfo_valid COMMAND ${APPSTREAMCLI} validate --no-net
        ${PROJECT_SOURCE_DIR}/packaging/io.github.loopscope.Loopscope.metainfo.xml)
    set_tests_properties(metainfo_valid PROPERTIES LABELS "packaging")
endif()
