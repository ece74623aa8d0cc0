#pragma once
// The output-to-source maps of the augmentation (grid_sample's normalised coordinates,
// align_corners false) as formulas over T: torch::Tensor for a batch on any device ([N] each) or
// double for one image in the CPU kernel. Both paths compute them here, so they cannot drift.
#include <cmath>

namespace mnist::affine {

// [a00 a01 a02; a10 a11 a12]: source = A (output, 1).
template <class T> struct Map {
    T a00, a01, a02, a10, a11, a12;
};

// The crop box (scale sx, sy; centre cx, cy) after a rotation by `angle` radians about the centre.
// With y pointing down, this inverse rotation turns the picture counter-clockwise on screen.
template <class T> Map<T> cropRotate(const T& sx, const T& sy, const T& cx, const T& cy, const T& angle)
{
    using std::cos;
    using std::sin;
    const T c = cos(angle), s = sin(angle);
    return {sx * c, -sx * s, cx, sy * s, sy * c, cy};
}

// first(second(p)).
template <class T> Map<T> compose(const Map<T>& f, const Map<T>& s)
{
    return {f.a00 * s.a00 + f.a01 * s.a10, f.a00 * s.a01 + f.a01 * s.a11, f.a00 * s.a02 + f.a01 * s.a12 + f.a02,
            f.a10 * s.a00 + f.a11 * s.a10, f.a10 * s.a01 + f.a11 * s.a11, f.a10 * s.a02 + f.a11 * s.a12 + f.a12};
}

// torchvision's affine(img, angle, translate, scale, shear) about the image centre, as its
// _get_inverse_affine_matrix with the centre at 0: in pixels about the centre, source =
// M^-1 (output - t), M = scale * rotation-with-shear. Angles in degrees, shifts in pixels.
template <class T>
Map<T> torchvisionAffine(const T& angle, const T& tx, const T& ty, const T& scale, const T& shearX, const T& shearY,
                         double height, double width)
{
    using std::cos;
    using std::sin;
    using std::tan;
    constexpr double rad = 3.14159265358979323846 / 180.0;
    const T rot = angle * rad, shx = shearX * rad, shy = shearY * rad;
    const T cosSy = cos(shy), tanSx = tan(shx);
    const T a = cos(rot - shy) / cosSy;
    const T b = -cos(rot - shy) * tanSx / cosSy - sin(rot);
    const T c = sin(rot - shy) / cosSy;
    const T d = -sin(rot - shy) * tanSx / cosSy + cos(rot);
    const T m00 = d / scale, m01 = -b / scale, m10 = -c / scale, m11 = a / scale;
    const T off0 = -(m00 * tx + m01 * ty), off1 = -(m10 * tx + m11 * ty);
    // Normalised coordinates are pixels about the centre divided by half the width and height.
    return {m00, m01 * (height / width), off0 * (2.0 / width), m10 * (width / height), m11, off1 * (2.0 / height)};
}

} // namespace mnist::affine
