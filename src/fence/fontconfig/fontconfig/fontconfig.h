/* Fence: this layer may not use fontconfig (README, Layout). */
#error "fontconfig is used only in src/render/"
