"""Name folding and the port registry."""

from reunify.domain.names import first_surname, fold_name, name_tokens
from reunify.domain.ports import lookup_port, southwest_border_ports


def test_accents_and_case_fold() -> None:
    assert fold_name("José  Pérez-López") == "JOSE PEREZ LOPEZ"
    assert fold_name("MUÑOZ") == "MUNOZ"
    assert fold_name(None) == ""


def test_particles_are_dropped_from_tokens() -> None:
    assert name_tokens("de la Cruz Hernández") == ["CRUZ", "HERNANDEZ"]
    assert first_surname("García López") == "GARCIA"


def test_four_field_offices_with_real_ports() -> None:
    ports = southwest_border_ports()
    assert {p.field_office for p in ports} == {"SAN DIEGO", "TUCSON", "EL PASO", "LAREDO"}
    assert len({p.code for p in ports}) == len(ports)
    laredo = lookup_port("2304")
    assert laredo is not None
    assert (laredo.name, laredo.field_office) == ("LAREDO", "LAREDO")
    assert lookup_port("san ysidro") == lookup_port("2504")
    assert lookup_port("9999") is None
