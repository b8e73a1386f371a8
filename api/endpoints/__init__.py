"""The API's endpoints, registered on `api.http.api`: `reads` and `writes`."""
