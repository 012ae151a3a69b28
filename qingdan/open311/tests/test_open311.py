"""Open311 GeoReport v2, checked with the PyPI `georeport` client against a live
server. georeport 0.3.1 has no method to create a request (it offers only
get_service_list, get_service_definition, get_service_requests and get_service_request;
its api_key is stored but never sent), so POSTs go through `requests`, form-encoded as the
spec describes."""

import xml.etree.ElementTree as ET

import pytest
import requests
from django.core.cache import cache
from georeport import GeoReport

from qingdan.open311.models import ApiKey
from qingdan.orgs.testing import build_county, category

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(live_server):
    cache.clear()
    org = build_county()
    category("transport")  # live-server tests flush the seeded categories between tests
    key = ApiKey.objects.create(name="城市服务App", jurisdiction=org.town)
    return live_server.url + "/open311/v2", org, key


def post(root, fmt="json", **fields):
    return requests.post(f"{root}/requests.{fmt}", data=fields, timeout=10)


def test_services_create_list_and_fetch_in_json_and_xml(site):
    root, org, key = site
    for fmt in ("json", "xml"):
        client = GeoReport(root, output_format=fmt)
        services = client.get_service_list()
        codes = {s["service_code"] for s in services}
        assert "urban_rural_construction" in codes
        definition = client.get_service_definition("urban_rural_construction")
        assert definition["service_code"] == "urban_rural_construction"

    created = post(
        root,
        api_key=key.key,
        service_code="urban_rural_construction",
        description="村口路灯坏了一周",
        lat="37.35",
        long="120.40",
        jurisdiction_id=org.village.code,
        last_name="张",
        first_name="三",
        phone="13812345678",
    )
    assert created.status_code == 201, created.text
    number = created.json()[0]["service_request_id"]
    token = created.json()[0]["token"]
    xml_created = post(
        root,
        "xml",
        api_key=key.key,
        service_code="transport",
        description="道路坑洼",
        address_string="玲珑镇政府门口",
    )
    assert xml_created.status_code == 201
    assert ET.fromstring(xml_created.content).find("request/service_request_id").text

    for fmt in ("json", "xml"):
        client = GeoReport(root, output_format=fmt)
        listed = client.get_service_requests(status="open")
        listed = listed if isinstance(listed, list) else [listed]
        assert number in {r["service_request_id"] for r in listed}
        one = client.get_service_request(number)
        one = one[0] if isinstance(one, list) else one
        assert one["status"] == "open"
        assert one["requested_datetime"].endswith("+08:00")
        assert one["description"] == "村口路灯坏了一周"
        assert "13812345678" not in str(one) and "张三" not in str(one)
    # A client bound to a jurisdiction sends jurisdiction_id with every call.
    scoped = GeoReport(root, jurisdiction=org.village.code)
    assert {r["service_request_id"] for r in scoped.get_service_requests()} == {number}
    assert scoped.get_service_list()
    by_token = requests.get(f"{root}/tokens/{token}.json", timeout=10).json()
    assert by_token[0]["service_request_id"] == number
    assert requests.get(f"{root}/requests.json?status=closed", timeout=10).json() == []
    assert len(requests.get(f"{root}/requests.json?service_code=transport", timeout=10).json()) == 1
    discovery = requests.get(f"{root}/discovery.xml", timeout=10)
    assert ET.fromstring(discovery.content).find("endpoints/endpoint/url") is not None


def test_spec_errors(site):
    root, org, key = site
    missing_key = post(root, service_code="transport", description="x", lat="1", long="1")
    assert missing_key.status_code == 403
    assert missing_key.json()[0]["code"] == 403
    bad_service = post(
        root, "xml", api_key=key.key, service_code="nope", description="x", lat="1", long="1"
    )
    error = ET.fromstring(bad_service.content).find("error")
    assert bad_service.status_code == 400 and error.find("code").text == "400"
    assert "service_code" in error.find("description").text
    no_place = post(root, api_key=key.key, service_code="transport", description="x")
    assert no_place.status_code == 400
    other_town = post(
        root,
        api_key=key.key,
        service_code="transport",
        description="x",
        lat="1",
        long="1",
        jurisdiction_id=org.far_village.code,
    )
    assert other_town.status_code == 400
    bad_phone = post(
        root,
        api_key=key.key,
        service_code="transport",
        description="x",
        lat="1",
        long="1",
        last_name="王",
        phone="123",
    )
    assert bad_phone.status_code == 400 and "phone" in bad_phone.json()[0]["description"]
    assert requests.get(f"{root}/requests/ZY-0000-000000.json", timeout=10).status_code == 404
    bad_date = requests.get(f"{root}/requests.json?start_date=yesterday", timeout=10)
    assert bad_date.status_code == 400


def test_posts_are_rate_limited(site, settings):
    root, org, key = site
    settings.QINGDAN_OPEN311_POSTS_PER_MINUTE = 2
    statuses = [
        post(
            root, api_key=key.key, service_code="transport", description=f"路{i}", lat="1", long="1"
        ).status_code
        for i in range(3)
    ]
    assert statuses == [201, 201, 429]
