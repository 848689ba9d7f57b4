"""The offer page's GPU facts in the page's language: the registry's note and form factor."""

from catalog.registry import default_registries
from extensions import db
from tests.catalog.factories import gpu_offer


def test_gpu_facts_follow_the_page_language(client, app):
    offer = gpu_offer("1.85", "rtx-4090")
    db.session.commit()
    zh = client.get(f"/offers/{offer.id}").get_data(as_text=True)
    assert "PCIe（消费级）" in zh and "PCIe (consumer)" not in zh
    assert "稠密 FP16/BF16 张量算力 165.2 TFLOPS" in zh and "dense FP16/BF16 tensor" not in zh
    en = client.get(f"/offers/{offer.id}?lang=en").get_data(as_text=True)
    assert "PCIe (consumer)" in en and "165.2 TFLOPS dense FP16/BF16 tensor" in en


def test_every_registry_note_and_form_factor_has_chinese():
    for gpu in default_registries().gpus.models.values():
        assert not gpu.note or gpu.note_zh, gpu.id
        assert gpu.form_factor_in("zh"), gpu.id
        # A form factor with English words in it has its own Chinese wording.
        if any(word in gpu.form_factor for word in ("consumer", "low profile", "module", "pair")):
            assert gpu.form_factor_zh, gpu.id
