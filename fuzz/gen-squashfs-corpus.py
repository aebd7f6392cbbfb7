#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-only
"""Regenerates fuzz/corpus/squashfs/: small valid snaps and hostile squashfs images.

Usage: fuzz/gen-squashfs-corpus.py SNAP_BINARY OUTDIR

Valid seeds are packed by our `snap pack` (xz, zstd, lzo) and by mksquashfs with uncompressed
metadata; the hostile ones are those seeds with a truncated tail, a corrupted superblock, or a
patched inode or directory entry (a directory loop, ".." and "a/" names, absurd sizes, bad
types, counts past the end). The unit tests (formats/tests/test-squashfs-read.c) open each
hostile file by name and expect a clean refusal.
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

SUPER = struct.Struct("<IIIIIHHHHHHQQQQQQQQ")  # 96 bytes
FIELDS = ["magic", "inode_count", "mkfs_time", "block_size", "frag_count", "compression", "block_log",
          "flags", "id_count", "major", "minor", "root_ref", "bytes_used", "id_table", "xattr_table",
          "inode_table", "dir_table", "frag_table", "export_table"]


def read_super(data):
    return dict(zip(FIELDS, SUPER.unpack_from(data, 0)))


def write_super(data, sb):
    SUPER.pack_into(data, 0, *[sb[f] for f in FIELDS])


def make_tree(root):
    os.makedirs(os.path.join(root, "meta", "hooks"))
    os.makedirs(os.path.join(root, "bin"))
    with open(os.path.join(root, "meta", "snap.yaml"), "w") as f:
        f.write("name: fuzz-seed\nversion: '1.0'\nsummary: a seed\ndescription: seed\n"
                "apps:\n  hello:\n    command: bin/hello\n")
    with open(os.path.join(root, "bin", "hello"), "w") as f:
        f.write("#!/bin/sh\necho hello\n" + "x" * 300 + "\n")
    os.chmod(os.path.join(root, "bin", "hello"), 0o755)
    with open(os.path.join(root, "meta", "hooks", "configure"), "w") as f:
        f.write("#!/bin/sh\n")
    os.chmod(os.path.join(root, "meta", "hooks", "configure"), 0o755)
    os.symlink("hello", os.path.join(root, "bin", "link"))


def parse_inodes(data, sb):
    """Yields (offset_in_file, type) for each inode of an image with uncompressed inodes."""
    start = sb["inode_table"]
    hdr = struct.unpack_from("<H", data, start)[0]
    assert hdr & 0x8000, "inodes must be uncompressed"
    pos, end = start + 2, start + 2 + (hdr & 0x7FFF)
    while pos < end:
        itype = struct.unpack_from("<H", data, pos)[0]
        yield pos, itype
        body = pos + 16
        if itype == 1:
            pos = body + 16
        elif itype == 2:
            size = struct.unpack_from("<I", data, body + 12)[0]
            pos = body + 16 + 4 * ((size + sb["block_size"] - 1) // sb["block_size"])
        elif itype == 3:
            tsize = struct.unpack_from("<I", data, body + 4)[0]
            pos = body + 8 + tsize
        else:
            raise SystemExit("unexpected inode type %d" % itype)


def main():
    snap, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    tmp = tempfile.mkdtemp()
    try:
        tree = os.path.join(tmp, "tree")
        make_tree(tree)
        seeds = {}
        for comp in ("xz", "zstd", "lzo"):
            target = os.path.join(tmp, comp)
            subprocess.run([snap, "pack", "--compression", comp, "--filename", "seed.snap", tree, target],
                           check=True, stdout=subprocess.DEVNULL)
            name = "valid-pack-%s.snap" % comp
            shutil.copy(os.path.join(target, "seed.snap"), os.path.join(out, name))
            seeds[name] = open(os.path.join(out, name), "rb").read()
        raw = os.path.join(out, "valid-uncompressed-meta.sqfs")
        subprocess.run(["mksquashfs", tree, raw, "-noappend", "-comp", "gzip", "-noI", "-noD", "-noF", "-noX",
                        "-no-fragments", "-no-xattrs", "-all-root", "-no-progress", "-mkfs-time", "0",
                        "-all-time", "0", "-no-exports"], check=True, stdout=subprocess.DEVNULL)
        plain = open(raw, "rb").read()
        base = seeds["valid-pack-xz.snap"]

        def emit(name, data):
            with open(os.path.join(out, name), "wb") as f:
                f.write(bytes(data))

        # Truncations.
        sb = read_super(base)
        emit("hostile-truncated-super.snap", base[:60])
        emit("hostile-truncated-half.snap", base[:sb["bytes_used"] // 2])
        emit("hostile-truncated-tables.snap", base[:sb["bytes_used"] - 8])
        emit("hostile-empty.snap", b"")

        # Superblock corruptions.
        def super_variant(name, **changes):
            data = bytearray(base)
            s = read_super(data)
            s.update(changes)
            write_super(data, s)
            emit(name, data)

        super_variant("hostile-bad-magic.snap", magic=0x12345678)
        super_variant("hostile-bad-version.snap", major=3)
        super_variant("hostile-bad-block-size.snap", block_size=12345)
        super_variant("hostile-block-log-mismatch.snap", block_log=12)
        super_variant("hostile-bytes-used-past-end.snap", bytes_used=sb["bytes_used"] * 1000)
        super_variant("hostile-inode-table-after-dirs.snap", inode_table=sb["dir_table"] + 1)
        super_variant("hostile-id-table-huge.snap", id_table=2**62)
        super_variant("hostile-root-ref-out-of-bounds.snap", root_ref=(2**30) << 16)
        super_variant("hostile-inode-count-huge.snap", inode_count=0xFFFFFFFF)
        super_variant("hostile-id-count-zero.snap", id_count=0)
        super_variant("hostile-id-count-huge.snap", id_count=0xFFFF)
        super_variant("hostile-unknown-compressor.snap", compression=99)
        super_variant("hostile-fragment-table-huge.snap", frag_count=0xFFFFFFFF, frag_table=sb["id_table"])

        # Patches of inodes and directory entries in the uncompressed image.
        psb = read_super(plain)
        inodes = list(parse_inodes(plain, psb))
        root_off = psb["inode_table"] + 2 + (psb["root_ref"] & 0xFFFF)
        root_start, root_offset = struct.unpack_from("<I", plain, root_off + 16)[0], \
            struct.unpack_from("<H", plain, root_off + 16 + 10)[0]
        dirs = [off for off, t in inodes if t == 1 and off != root_off]

        def patch(name, offset, fmt, value):
            data = bytearray(plain)
            struct.pack_into(fmt, data, offset, value)
            emit(name, data)

        # A subdirectory whose listing is the root's: walking it loops.
        data = bytearray(plain)
        struct.pack_into("<I", data, dirs[0] + 16, root_start)
        struct.pack_into("<H", data, dirs[0] + 16 + 10, root_offset)
        emit("hostile-directory-loop.sqfs", data)
        files = [off for off, t in inodes if t == 2]
        links = [off for off, t in inodes if t == 3]
        patch("hostile-file-size-huge.sqfs", files[0] + 16 + 12, "<I", 0xFFFFFFF0)
        patch("hostile-symlink-size-huge.sqfs", links[0] + 16 + 4, "<I", 0xFFFFFFFF)
        patch("hostile-inode-type-bad.sqfs", files[0], "<H", 0x7F)
        patch("hostile-dir-size-huge.sqfs", root_off + 16 + 8, "<H", 0xFFFF)
        patch("hostile-dir-start-out-of-bounds.sqfs", root_off + 16, "<I", 0x7FFFFFFF)
        patch("hostile-uid-index-bad.sqfs", files[0] + 4, "<H", 0x7FFF)
        dstart = psb["dir_table"] + 2
        patch("hostile-dir-count-huge.sqfs", dstart, "<I", 255)
        # Entry names: the first header is followed by entries {u16 offset, s16 diff, u16 type,
        # u16 size, name}; rename the first entry of the first listing to ".." and to "a/".
        first_name = dstart + 12 + 8
        size = struct.unpack_from("<H", plain, first_name - 2)[0] + 1
        data = bytearray(plain)
        struct.pack_into("<H", data, first_name - 2, 1)
        data[first_name:first_name + 2] = b".."
        emit("hostile-dotdot-name.sqfs", data)
        data = bytearray(plain)
        data[first_name + size - 1:first_name + size] = b"/"
        emit("hostile-slash-name.sqfs", data)
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
