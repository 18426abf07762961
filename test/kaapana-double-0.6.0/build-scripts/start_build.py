# marker: this directory is laid out like a Kaapana checkout (test double, see ../README.md)
