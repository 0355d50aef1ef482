"""Guided tours: 3-5 short steps per tab that walk a learner through the tab's one idea.

    with gr.Tab("Text"):
        tours.build("text")                 # app.py: a closed "Tour" accordion, Back / Next

All tour text lives here, in English and Spanish (``TOURS``); ``tabs/i18n.py`` turns it into
translation keys ``tour.<tab>.<n>``. Back and Next only show and hide steps that are already on
the page, so they answer at once and never wait in the queue.
"""
from __future__ import annotations

from typing import Any

import gradio as gr

from tabs.i18n import t

Step = dict[str, str]  # {"en": Markdown, "es": Markdown}
TOURS: dict[str, list[Step]] = {
    "text": [
        {"en": "**What the model does.** It reads your prompt and gives every possible next character a "
               "probability. Press **Generate** and look at the chart *Latest next-token probabilities*.",
         "es": "**Qué hace el modelo.** Lee tu texto inicial y da a cada carácter posible una probabilidad de "
               "ser el siguiente. Pulsa **Generar** y mira el gráfico *Últimas probabilidades del siguiente "
               "token*."},
        {"en": "**Sampling.** It does not always take the most likely character: it draws one at random, in "
               "proportion to its probability, then repeats. The **Seed** fixes the draw: same seed, same text.",
         "es": "**Muestreo.** No siempre elige el carácter más probable: saca uno al azar, según su "
               "probabilidad, y repite. La **Semilla** fija el sorteo: misma semilla, mismo texto."},
        {"en": "**Temperature.** Low (0.2) sharpens the probabilities: safe, repetitive text. High (1.5) "
               "flattens them: surprising words and misspellings. Try both with the same seed.",
         "es": "**Temperatura.** Baja (0,2) afila las probabilidades: texto seguro y repetitivo. Alta (1,5) "
               "las aplana: palabras sorprendentes y faltas. Prueba las dos con la misma semilla."},
        {"en": "**Your turn.** Open *Step through it*, show the next-token probabilities and pick the next "
               "token yourself. The model writes English (Shakespeare), whatever the page's language.",
         "es": "**Tu turno.** Abre *Paso a paso*, muestra las probabilidades y elige tú el siguiente token. "
               "El modelo escribe en inglés (Shakespeare), aunque la página esté en español."},
    ],
    "images": [
        {"en": "**Noise in.** Every image starts as a list of random numbers, the *noise*, chosen by the "
               "**Seed**. Press **Generate**.",
         "es": "**Entra ruido.** Cada imagen empieza como una lista de números al azar, el *ruido*, que elige "
               "la **Semilla**. Pulsa **Generar**."},
        {"en": "**A digit out.** The model learned from 8,500 handwritten digits to turn noise into a digit. "
               "Same seed, same digit; **New noise** draws another one.",
         "es": "**Sale un dígito.** El modelo aprendió de 8.500 dígitos escritos a mano a convertir ruido en "
               "un dígito. Misma semilla, mismo dígito; **Ruido nuevo** saca otro."},
        {"en": "**Sliders.** Each *Direction* slider moves the noise a little along one direction. Watch the "
               "digit change smoothly: nearby noise makes similar images.",
         "es": "**Deslizadores.** Cada deslizador *Dirección* mueve el ruido un poco en una dirección. Mira "
               "cómo cambia el dígito poco a poco: ruido parecido da imágenes parecidas."},
        {"en": "**Denoising.** Pick the diffusion model: it starts from pure noise and removes a little noise "
               "at each step. The strip and the animation show every step.",
         "es": "**Quitar ruido.** Elige el modelo de difusión: parte de ruido puro y quita un poco de ruido en "
               "cada paso. La tira y la animación muestran todos los pasos."},
    ],
    "music": [
        {"en": "**A melody.** Type notes (C4 = middle C) or pick a chorale opening. The melody is the soprano.",
         "es": "**Una melodía.** Escribe notas (C4 = do central) o elige el comienzo de un coral. La melodía es "
               "la voz de soprano."},
        {"en": "**Harmonise.** Choose the *Harmonise* mode and press **Compose**: the model writes alto, tenor "
               "and bass under your melody, in the style of Bach's chorales.",
         "es": "**Armonizar.** Elige el modo *Armonizar* y pulsa **Componer**: el modelo escribe contralto, "
               "tenor y bajo bajo tu melodía, al estilo de los corales de Bach."},
        {"en": "**Listen and look.** Play the audio; the piano roll and the note list show the four voices.",
         "es": "**Escucha y mira.** Reproduce el audio; el piano roll y la lista de notas muestran las cuatro "
               "voces."},
        {"en": "**Why this note?** Under *Next-note probabilities*, pick a voice and a beat to see which notes "
               "the model thought likely there.",
         "es": "**¿Por qué esta nota?** En *Probabilidades de la siguiente nota*, elige una voz y un tiempo para "
               "ver qué notas creía probables el modelo."},
    ],
    "feedback": [
        {"en": "**Rate.** Under every output, give 1 to 5 stars and, if you like, a comment.",
         "es": "**Valora.** Debajo de cada resultado, da de 1 a 5 estrellas y, si quieres, un comentario."},
        {"en": "**See the room.** Press **Refresh**: the table and charts show every rating, per model and "
               "over time.",
         "es": "**Mira la clase.** Pulsa **Actualizar**: la tabla y los gráficos muestran todas las "
               "valoraciones, por modelo y en el tiempo."},
        {"en": "**Close the loop.** *Learn from feedback* on a tab trains a new version of the model on the "
               "outputs rated highly. Generate again and compare.",
         "es": "**Cierra el ciclo.** *Aprender de las valoraciones* entrena una versión nueva del modelo con los "
               "resultados mejor valorados. Genera otra vez y compara."},
        {"en": "**Which is better?** The blind A/B comparison shows two outputs without their model; your "
               "votes make the leaderboard.",
         "es": "**¿Cuál es mejor?** La comparación a ciegas A/B muestra dos resultados sin su modelo; tus votos "
               "forman la clasificación."},
    ],
}


def turn(step: int, delta: int, n: int) -> tuple[Any, ...]:
    """Move ``delta`` steps (clamped): the new step, each step's visibility, Back and Next enabled."""
    new = max(0, min(n - 1, int(step or 0) + delta))
    shown = [gr.update(visible=i == new) for i in range(n)]
    return (new, *shown, gr.update(interactive=new > 0), gr.update(interactive=new < n - 1))


def build(tab: str) -> gr.Accordion:
    """The tour of ``tab``: a closed accordion with its steps, Back and Next."""
    steps = TOURS[tab]
    with gr.Accordion(t("tour.title"), open=False, elem_id=f"tour-{tab}", elem_classes=["tour"]) as box:
        at = gr.State(0)
        shown = [gr.Markdown(t(f"tour.{tab}.{i + 1}"), visible=i == 0) for i in range(len(steps))]
        with gr.Row():
            back = gr.Button(t("tour.back"), size="sm", interactive=False, scale=0, min_width=100)
            nxt = gr.Button(t("tour.next"), size="sm", scale=0, min_width=100)
    for button, delta in ((back, -1), (nxt, 1)):
        button.click(lambda s, d=delta: turn(s, d, len(steps)), at, [at, *shown, back, nxt],
                     queue=False, api_visibility="private")
    return box
