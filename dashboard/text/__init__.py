"""What customers say: comment normalisation, language, sentiment and themes.

- :mod:`dashboard.text.normalize`: one canonical form per comment (NFC, lower case,
  collapsed whitespace, one tone-placement convention) and its diacritic-free fold;
  offline language detection.
- :mod:`dashboard.text.lexicon`: the bilingual baseline with negation handling.
- :mod:`dashboard.text.model`: the local sentiment model trained from the business's
  own labels (TF-IDF + linear SVM), with cross-validated quality.
- :mod:`dashboard.text.themes`: the editable bilingual theme taxonomy and its matching.
- :mod:`dashboard.text.service`: plain functions that read and write the store.

No streamlit here, and nothing is downloaded: every word list is in this package.
"""
