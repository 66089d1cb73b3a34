# QEMU devices for the pvgpu VM (configure --without-default-devices
# --with-devices-x86_64=pvgpu): the q35 machine, pvgpu, a serial console and
# isa-debug-exit so a guest can hand an exit status back to the host, and
# virtio-gpu-gl-pci, the paravirtual GL GPU `./pvgpu bench --peers` measures
# pvgpu against. The guest boots from an initramfs: no disk or network.
#
# Q35 selects what the machine itself needs (PC, ICH9 LPC, AHCI, ACPI,
# fw_cfg DMA, APIC/IOAPIC, RTC, i8259/i8254, ISA serial).
CONFIG_Q35=y
CONFIG_PVGPU=y
CONFIG_SERIAL_ISA=y
CONFIG_ISA_DEBUG=y
# virtio-gpu-pci and, because scripts/build-qemu.sh enables virglrenderer
# and OpenGL, virtio-gpu-gl-pci (hw/display/meson.build). VIRTIO_PCI
# selects VIRTIO; both default to y only in a build with default devices.
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_GPU=y
