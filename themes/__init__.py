"""The palettes kootui ships: installed as the ``kootui.themes`` package (pyproject's
package-dir maps it onto this folder), read by ``kootui.tui.theming``."""
