"""The lab: live visuals computed on the server (NumPy, Pillow, real tokenizers, a real model).

Each family of pages has its own views and URL module; each URL module lists its pages in
`LAB_PAGES` so the lab's index shows them.
"""
