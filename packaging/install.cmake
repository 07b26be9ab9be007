# Install layout (cmake --install) and the Debian package (cpack -G DEB).
include(GNUInstallDirs)
set(LOOPSCOPE_APP_ID io.github.loopscope.Loopscope)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/${LOOPSCOPE_APP_ID}.desktop
        DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/${LOOPSCOPE_APP_ID}.metainfo.xml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/${LOOPSCOPE_APP_ID}.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)

set(CPACK_PACKAGE_NAME loopscope)
set(CPACK_PACKAGE_VENDOR "The Loopscope developers")
set(CPACK_PACKAGE_CONTACT "The Loopscope developers <loopscope@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "See async request handling happen, request by request")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# Library dependencies (Qt, QCoro) are computed from the binary; the SQL drivers are plugins
# loaded at run time, so they are named here.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite, libqt6sql6-psql, qt6-qpa-plugins")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "apache2-utils, wrk")
include(CPack)
