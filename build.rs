//! Writes `include/zdkit.h` from the `extern "C"` functions in `src/ffi` with cbindgen,
//! plus the `ZDKIT_VERSION_*` macros from Cargo.toml. The file is rewritten only when
//! its content changes; CI fails when the committed header differs from this output.
//!
//! On Linux it also gives `libzdkit.so` its SONAME. (Symbol versions cannot be added
//! here: rustc passes its own anonymous version script, which rust-lld lets win and GNU
//! ld refuses to combine; `make install` links the installed library from `libzdkit.a`
//! with the version script in `packaging/` instead. See packaging/README.md.)

#[cfg(feature = "capi")]
use std::path::PathBuf;

/// Without the `capi` feature (the Python extension's build) there is no header to write.
#[cfg(not(feature = "capi"))]
fn main() {}

#[cfg(feature = "capi")]
fn main() {
    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=Cargo.toml");
    soname_link_arg();

    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is readable");
    let version =
        |part: &str| std::env::var(format!("CARGO_PKG_VERSION_{part}")).expect("cargo sets it");
    config.after_includes = Some(format!(
        "\n/** Major version of zdkit this header belongs to (compare with zdk_version()). @since 0.1 */\n\
         #define ZDKIT_VERSION_MAJOR {}\n\
         /** Minor version of zdkit this header belongs to. @since 0.1 */\n\
         #define ZDKIT_VERSION_MINOR {}\n\
         /** Patch version of zdkit this header belongs to. @since 0.1 */\n\
         #define ZDKIT_VERSION_PATCH {}\n\
         /** The version of zdkit this header belongs to, as \"MAJOR.MINOR.PATCH\". @since 0.1 */\n\
         #define ZDKIT_VERSION_STRING \"{}\"\n",
        version("MAJOR"),
        version("MINOR"),
        version("PATCH"),
        std::env::var("CARGO_PKG_VERSION").expect("cargo sets it"),
    ));

    let bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not read src/ffi");
    let mut text = Vec::new();
    bindings.write(&mut text);

    let header = crate_dir.join("include").join("zdkit.h");
    if std::fs::read(&header).ok().as_deref() != Some(text.as_slice()) {
        std::fs::create_dir_all(header.parent().expect("has a parent"))
            .expect("include/ is writable");
        std::fs::write(&header, &text).expect("include/zdkit.h is writable");
    }
}

/// SONAME of `libzdkit.so` by cargo-c's rule: `libzdkit.so.0.MINOR` while the major
/// version is 0, `libzdkit.so.MAJOR` from 1.0 on. The Makefile reads it back from the
/// built library (`readelf -d`), so this is the only place that computes it.
#[cfg(feature = "capi")]
fn soname_link_arg() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux") {
        return;
    }
    let part =
        |name: &str| std::env::var(format!("CARGO_PKG_VERSION_{name}")).expect("cargo sets it");
    let (major, minor) = (part("MAJOR"), part("MINOR"));
    let abi = if major == "0" {
        format!("0.{minor}")
    } else {
        major
    };
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libzdkit.so.{abi}");
    soname_link_in_output_dir(&format!("libzdkit.so.{abi}"));
}

/// A program linked against cargo's `libzdkit.so` (`-Ltarget/debug -lzdkit` with an
/// rpath, as the C tests and README's quick start do) asks the loader for the SONAME,
/// so cargo's output directory (three levels above OUT_DIR: `<profile>/build/<pkg>/out`)
/// gets the link `libzdkit.so.0.1 -> libzdkit.so` that `make install` also installs.
#[cfg(all(feature = "capi", unix))]
fn soname_link_in_output_dir(soname: &str) {
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it"));
    let Some(profile_dir) = out_dir.ancestors().nth(3) else {
        return;
    };
    let link = profile_dir.join(soname);
    if std::fs::read_link(&link).ok().as_deref() != Some(std::path::Path::new("libzdkit.so")) {
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink("libzdkit.so", &link)
            .expect("cargo's output directory is writable");
    }
}

#[cfg(all(feature = "capi", not(unix)))]
fn soname_link_in_output_dir(_soname: &str) {}
