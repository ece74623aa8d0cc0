# `make package`: a Debian package of the binaries and the desktop integration. Dependencies on
# shared libraries come from dpkg-shlibdeps; what is loaded at run time without being linked is
# listed by hand.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mnist-studio)
set(CPACK_PACKAGE_VENDOR "The MNIST Studio team")
set(CPACK_PACKAGE_CONTACT "MNIST Studio team <team@mniststudio.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Train small CNNs on handwritten digits and watch them learn")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"Train small convolutional networks on MNIST-style data and watch them learn
 MNIST Studio trains LeNet-style networks, LeNetDeep and SimpleNet on MNIST and
 Fashion-MNIST with LibTorch and plots losses, accuracy and the learning rate
 live. Runs are saved, resumable, comparable and exportable (PNG, SVG, CSV,
 LibTorch archives, PyTorch-loadable weights, ONNX). Includes mnist-train, a
 command-line trainer.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/mniststudio/mnist-studio")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Qt loads its platform plugins (xcb, wayland) at run time; nothing links them.
if(MNIST_STUDIO_BUILD_UI)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins")
endif()
# The OpenMP OpenBLAS makes LibTorch's Linear layers ~3x faster than the reference BLAS;
# Fashion-MNIST comes from Debian's dataset package.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libopenblas0-openmp")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "dataset-fashion-mnist")
include(CPack)
