"""Uploaded files never stay in the temporary directory (issue 13, item 18): the folder an
import writes them to is removed after the import, after a rejection and after an error."""

from __future__ import annotations

import pytest

from dashboard.ingest.upload import Upload, uploaded_files


def _uploads() -> tuple[Upload, Upload]:
    main = Upload(name="feedback.csv", content=b"response_id,responded_at\nr1,2025-01-01\n")
    lookup = Upload(name="regions.csv", content=b"code,name\nHN,Ha Noi\n")
    return main, lookup


def test_the_upload_folder_is_removed_after_the_import():
    main, lookup = _uploads()
    with uploaded_files(main, [lookup]) as path:
        folder = path.parent
        assert path.read_bytes() == main.content
        assert (folder / "regions.csv").exists()
    assert not folder.exists()


def test_the_upload_folder_is_removed_after_an_error():
    main, lookup = _uploads()
    with pytest.raises(RuntimeError), uploaded_files(main, [lookup]) as path:
        folder = path.parent
        raise RuntimeError("the import failed")
    assert not folder.exists()
