"""Being written in this session."""

from django.http import Http404


def _missing(request, *args, **kwargs):
    raise Http404


dashboard = data_return = data_dictionary = _missing
