# The Debian package `fedstack` (docs/packaging.md):
#   cd build && cpack -G DEB     # or: cmake --build build --target package
# builds build/fedstack_<version>_<arch>.deb with the stripped binary, the systemd unit,
# /etc/fedstack/agent.conf and the docs. The install rules describe the package's layout
# (absolute /etc and /lib paths): use the .deb rather than `cmake --install`.

set(_packaging ${PROJECT_SOURCE_DIR}/packaging)

# /etc/fedstack/agent.conf is written by the built binary from the option table behind
# `fedstack agent --help`, so it lists exactly the options this agent knows. The options
# below are set (uncommented) where a packaged install needs other values than the
# defaults, which suit a run from the build tree.
set(FEDSTACK_PACKAGE_AGENT_OPTIONS --data-dir /var/lib/fedstack)
set(_agent_conf ${CMAKE_BINARY_DIR}/packaging/agent.conf)
add_custom_command(
  OUTPUT ${_agent_conf}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND ${CMAKE_COMMAND} -DOUTPUT=${_agent_conf} -P ${PROJECT_SOURCE_DIR}/cmake/run_to_file.cmake
          -- $<TARGET_FILE:fedstack> agent --config-example ${FEDSTACK_PACKAGE_AGENT_OPTIONS}
  DEPENDS fedstack ${PROJECT_SOURCE_DIR}/cmake/run_to_file.cmake
  COMMENT "Writing packaging/agent.conf with fedstack agent --config-example"
  VERBATIM)
add_custom_target(fedstack_agent_conf ALL DEPENDS ${_agent_conf})

install(TARGETS fedstack RUNTIME DESTINATION bin)
install(FILES ${_packaging}/fedstack-agent.service DESTINATION /lib/systemd/system)
# 0640: the file holds the service password; postinst gives it to group fedstack.
install(FILES ${_agent_conf} DESTINATION /etc/fedstack
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/fedstack)
# The federation CA and node certificates (docs/deploying.md); it needs the openssl command.
install(PROGRAMS ${PROJECT_SOURCE_DIR}/scripts/fedstack-certs.sh DESTINATION share/fedstack)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION share/doc/fedstack/docs)

set(FEDSTACK_PACKAGE_MAINTAINER "fedstack maintainers <fedstack@example.org>"
    CACHE STRING "Maintainer: field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME fedstack)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${FEDSTACK_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS openssl)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "federation agent for OpenStack clouds")
set(CPACK_PACKAGE_DESCRIPTION
    "fedstack runs beside each OpenStack cloud (a cloudlet) and serves Identity v3,
Image v2, Networking v2.0 and Compute v2.1 on one port. Agents find each other
with CYCLON gossip, choose the cloudlet for each new image or server, and move
what a boot needs between clouds, so that many clouds look like one.

This package runs one agent per host as the systemd service fedstack-agent,
configured in /etc/fedstack/agent.conf.")
# Shared-library dependencies by Debian package name, from dpkg-shlibdeps (dpkg-dev);
# adduser for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${_packaging}/conffiles ${_packaging}/postinst ${_packaging}/prerm ${_packaging}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
