"""Issue 14.8: Open311 errors that never reach a view (unmatched paths, bodies Django
refuses, crashes) in the spec's error list, XML or JSON by the path's extension."""

import json
import xml.etree.ElementTree as ET

from django.test import RequestFactory, TestCase, override_settings
from django.urls import get_resolver


class Open311ErrorPathTests(TestCase):
    def xml_error(self, response, status):
        self.assertEqual(response.status_code, status, response.content[:300])
        self.assertTrue(response["Content-Type"].startswith("text/xml"))
        error = ET.fromstring(response.content).find("error")
        self.assertEqual(error.find("code").text, str(status))
        self.assertTrue(error.find("description").text)

    def json_error(self, response, status):
        self.assertEqual(response.status_code, status, response.content[:300])
        self.assertTrue(response["Content-Type"].startswith("application/json"))
        [error] = json.loads(response.content)
        self.assertEqual(error["code"], status)
        self.assertTrue(error["description"])

    def test_unmatched_paths(self):
        self.json_error(self.client.get("/open311/v2/nothing.json"), 404)
        self.xml_error(self.client.get("/open311/v2/nothing.xml"), 404)
        # No extension: XML, the spec's default format.
        self.xml_error(self.client.get("/open311/v2/requests"), 404)
        self.xml_error(self.client.get("/open311/v3/"), 404)

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
    def test_bodies_over_the_limit(self):
        body = "description=" + "x" * 2000
        form = "application/x-www-form-urlencoded"
        self.json_error(self.client.post("/open311/v2/requests.json", body, content_type=form), 413)
        self.xml_error(self.client.post("/open311/v2/requests.xml", body, content_type=form), 413)

    def test_malformed_multipart(self):
        response = self.client.post(
            "/open311/v2/requests.xml", b"garbage", content_type="multipart/form-data"
        )
        self.xml_error(response, 400)

    def test_server_errors(self):
        server_error = get_resolver().resolve_error_handler(500)
        self.json_error(server_error(RequestFactory().get("/open311/v2/requests.json")), 500)
        self.xml_error(server_error(RequestFactory().get("/open311/v2/requests.xml")), 500)
