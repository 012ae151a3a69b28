"""Seed the default categories so a new installation can register cases at once;
administrators rename, deactivate or add to them in the admin."""

from django.db import migrations

DEFAULT_CATEGORIES = [
    ("urban_rural_construction", "城乡建设"),
    ("labour_social_security", "劳动和社会保障"),
    ("education_culture_sports", "教育文体"),
    ("commerce_tourism", "商贸旅游"),
    ("health_family_planning", "卫生计生"),
    ("environmental_protection", "环境保护"),
    ("transport", "交通运输"),
    ("public_security", "公安政法"),
    ("land_resources", "国土资源"),
    ("agriculture", "农业农村"),
    ("enterprise_affairs", "企业诉求"),
    ("civil_disputes", "邻里民事纠纷"),
    ("other", "其他"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("orgs", "Category")
    for code, name in DEFAULT_CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
