"""Raw 范文 pages in, clean labelled plan sections out."""
