from django.db import connection
from django.test import TestCase

from qingdan.cases import actions
from qingdan.cases.models import Petitioner
from qingdan.core import crypto
from qingdan.orgs.testing import PERSON, build_county


class EncryptionAtRestTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def register(self, petitioner):
        return actions.register_case(
            self.org.village_agent,
            channel="walk_in",
            title="t",
            content="c",
            jurisdiction=self.org.village,
            petitioner=petitioner,
        )

    def test_database_holds_ciphertext_only(self):
        case = self.register(PERSON)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, id_number, phone, address FROM cases_petitioner WHERE id = %s",
                [case.petitioner_id],
            )
            row = cursor.fetchone()
        for plain, stored in zip(
            (PERSON["name"], PERSON["id_number"], PERSON["phone"], PERSON["address"]),
            row,
            strict=True,
        ):
            self.assertTrue(stored.startswith(crypto.PREFIX))
            self.assertNotIn(plain, stored)
        fresh = Petitioner.objects.get(pk=case.petitioner_id)
        self.assertEqual((fresh.name, fresh.phone), (PERSON["name"], PERSON["phone"]))

    def test_known_petitioner_is_found_again_through_digests(self):
        first = self.register(PERSON)
        by_id = self.register({"name": "张小明", "id_number": PERSON["id_number"]})
        by_phone = self.register({"name": "张小明", "phone": PERSON["phone"]})
        other_name = self.register({"name": "李四", "phone": PERSON["phone"]})
        self.assertEqual(by_id.petitioner_id, first.petitioner_id)
        self.assertEqual(by_phone.petitioner_id, first.petitioner_id)
        self.assertNotEqual(other_name.petitioner_id, first.petitioner_id)
        self.assertEqual(Petitioner.objects.with_phone(PERSON["phone"]).count(), 2)

    def test_bulk_create_keeps_digests(self):
        Petitioner.objects.bulk_create([Petitioner(name="王五", phone="13900001111")])
        self.assertEqual(Petitioner.objects.with_phone("13900001111").get().name, "王五")

    def test_values_round_trip_and_are_not_double_encrypted(self):
        token = crypto.encrypt("13812345678")
        self.assertEqual(crypto.encrypt(token), token)
        self.assertEqual(crypto.decrypt(token), "13812345678")
        self.assertNotEqual(crypto.encrypt("13812345678"), token)  # randomised
        self.assertEqual(crypto.digest("13812345678"), crypto.digest("13812345678"))


class AccessLogTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.case = actions.register_case(
            cls.org.village_agent,
            channel="walk_in",
            title="t",
            content="c",
            jurisdiction=cls.org.village,
            petitioner=PERSON,
        )
        actions.reveal_personal_data(cls.org.town_clerk, cls.case, reason="电话回访核实")

    def test_administrators_search_the_access_log(self):
        self.client.force_login(self.org.administrator)
        page = self.client.get("/admin/cases/personaldataaccess/", {"q": self.case.tracking_number})
        body = page.content.decode()
        self.assertEqual(page.status_code, 200)
        self.assertIn("电话回访核实", body)
        self.assertNotIn(PERSON["phone"], body)
        empty = self.client.get("/admin/cases/personaldataaccess/", {"q": "no-such-case"})
        self.assertNotIn("电话回访核实", empty.content.decode())

    def test_staff_without_admin_rights_cannot_open_it(self):
        self.client.force_login(self.org.town_clerk)
        page = self.client.get("/admin/cases/personaldataaccess/")
        self.assertNotEqual(page.status_code, 200)
