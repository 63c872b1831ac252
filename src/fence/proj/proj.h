/* Fence: this layer may not use PROJ directly (README, Layout). */
#error "proj.h is used only in src/core/ and src/render/"
