"""Every string the page shows, in English and Spanish, by key (``tabs/i18n.py`` serves them).

    "text.stats": _("{n} tokens in {seconds:.2f} s", "{n} tokens en {seconds:.2f} s"),

A key is ``<tab>.<what>``; ``common.*`` and ``chart.*`` are shared. Server messages use
``str.format`` fields (the same names in both languages). To add a string: add its key here
with both languages, then write ``t("key")`` on the page (labels, Markdown, choices) or
``say("key", field=...)`` in a handler. ``tests/test_i18n.py`` checks both languages are there.
"""
from __future__ import annotations


def _(en: str, es: str) -> dict[str, str]:
    return {"en": en, "es": es}


PAGE = {
    "app.intro": _("# Generative AI Playground\nSmall generative models you can poke at: continue a text, pull "
                   "images out of noise, compose music, and tell the app what you think of each output.",
                   "# Laboratorio de IA generativa\nModelos generativos pequeños para explorar: continúa un texto, "
                   "saca imágenes del ruido, compón música y di a la app qué te parece cada resultado. Los "
                   "modelos escriben en inglés y componen como Bach."),
    "tab.text": _("Text", "Texto"),
    "tab.images": _("Images", "Imágenes"),
    "tab.music": _("Music", "Música"),
    "tab.feedback": _("Feedback", "Valoraciones"),
    # tours
    "tour.title": _("Tour: the idea of this tab, step by step", "Visita guiada: la idea de esta pestaña, paso a paso"),
    "tour.back": _("◀ Back", "◀ Atrás"),
    "tour.next": _("Next ▶", "Siguiente ▶"),
    # shared widgets
    "common.seed": _("Seed", "Semilla"),
    "common.model": _("Model", "Modelo"),
    "common.temperature": _("Temperature", "Temperatura"),
    "common.generate": _("Generate", "Generar"),
    "common.stop": _("Stop", "Detener"),
    "common.examples": _("Try these", "Prueba estos"),
    "common.candidates": _("Candidates (best of K)", "Candidatos (el mejor de K)"),
    # links
    "link.button": _("🔗 Link to this", "🔗 Enlace a esto"),
    "link.url": _("Link to this output (opens the same inputs and output)",
                  "Enlace a este resultado (abre las mismas entradas y el mismo resultado)"),
    "link.nothing": _("Generate something first, then make a link to it.",
                      "Genera algo primero y luego crea un enlace a ello."),
    "link.changed": _("This link was made with weights {old}; the model has changed since, so the output may differ.",
                      "Este enlace se hizo con los pesos {old}; el modelo ha cambiado desde entonces, así que el "
                      "resultado puede ser distinto."),
    "link.other_model": _("This link was made with the model {old}, which this page does not have; it used {new} "
                          "instead.", "Este enlace se hizo con el modelo {old}, que esta página no tiene; se usó "
                          "{new} en su lugar."),
    # rating widget
    "rating.label": _("Rate this output", "Valora este resultado"),
    "rating.comment": _("Comment (optional)", "Comentario (opcional)"),
    "rating.submit": _("Submit rating", "Enviar valoración"),
    "rating.poor": _("1 poor", "1 malo"),
    "rating.great": _("5 great", "5 genial"),
    "rating.placeholder": _("What worked, what did not?", "¿Qué funcionó y qué no?"),
    "rating.stored": _("Your rating is stored with this output, its settings and an anonymous session id (no IP "
                       "address); ratings may be exported for research and to train the models.",
                       "Tu valoración se guarda con este resultado, sus ajustes y un identificador de sesión anónimo "
                       "(sin dirección IP); las valoraciones pueden exportarse para investigar y entrenar los modelos."),
    "rating.nothing": _("Nothing to rate yet: generate something first.",
                        "Aún no hay nada que valorar: genera algo primero."),
    "rating.saved": _("Saved: {rating}/5 for this {modality} output of `{model}`. Thank you!",
                      "Guardado: {rating}/5 para este resultado ({modality}) de `{model}`. ¡Gracias!"),
    "rating.saved_comment": _("Saved: {rating}/5 for this {modality} output of `{model}` with your comment. Thank you!",
                              "Guardado: {rating}/5 con tu comentario para este resultado ({modality}) de `{model}`. "
                              "¡Gracias!"),
    "rating.updated": _("Updated: {rating}/5 for this {modality} output of `{model}`. Thank you!",
                        "Actualizado: {rating}/5 para este resultado ({modality}) de `{model}`. ¡Gracias!"),
    "rating.updated_comment": _("Updated: {rating}/5 for this {modality} output of `{model}` with your comment. "
                                "Thank you!", "Actualizado: {rating}/5 con tu comentario para este resultado "
                                "({modality}) de `{model}`. ¡Gracias!"),
    "modality.text": _("text", "texto"),
    "modality.image": _("image", "imagen"),
    "modality.music": _("music", "música"),
    # probability charts (tabs/charts.py)
    "chart.token": _("Token", "Token"),
    "chart.note": _("Note", "Nota"),
    "chart.probability": _("Probability", "Probabilidad"),
    "chart.chosen": _("◀ chosen", "◀ elegido"),
    "chart.scale": _(" · bar length = probability (a full bar is 100 %)",
                     " · longitud de la barra = probabilidad (una barra llena es el 100 %)"),
    "chart.not_shown": _(". Chosen: {chosen}, not among the {n} shown", ". Elegido: {chosen}, no está entre los {n} mostrados"),
    "chart.title": _("Next-token probabilities", "Probabilidades del siguiente token"),
    "chart.generate_first": _("Generate to see the probabilities.", "Genera para ver las probabilidades."),
}

TEXT = {
    "text.intro": _(
        "### Text: a transformer continues your words\n"
        "A language model reads your prompt and, one character (token) at a time, guesses what comes "
        "next: it turns its guesses into probabilities and draws one. **Temperature** sharpens (low) or "
        "flattens (high) those probabilities; **top-k** and **top-p** throw away unlikely tokens before "
        "the draw; the **seed** fixes the dice, so the same inputs and seed give the same text. The chart "
        "shows the probabilities the model saw at the latest step; **About this model** says what it is "
        "and what it learned from.",
        "### Texto: un transformer continúa tus palabras\n"
        "Un modelo de lenguaje lee tu texto inicial y, carácter a carácter (token a token), adivina lo que "
        "viene después: convierte sus apuestas en probabilidades y saca una. La **temperatura** las afila "
        "(baja) o las aplana (alta); **top-k** y **top-p** descartan los tokens improbables antes del sorteo; "
        "la **semilla** fija los dados, así que las mismas entradas y la misma semilla dan el mismo texto. El "
        "gráfico muestra las probabilidades que vio el modelo en el último paso; **Sobre este modelo** dice qué "
        "es y de qué aprendió. El modelo escribe en inglés (Shakespeare)."),
    "text.prompt": _("Seed prompt (empty = start from scratch)", "Texto inicial (vacío = empezar de cero)"),
    "text.output": _("Continuation (streams as it is written)", "Continuación (en inglés; aparece mientras se escribe)"),
    "text.length": _("Length (new tokens)", "Longitud (tokens nuevos)"),
    "text.top_k": _("Top-k (0 = off)", "Top-k (0 = desactivado)"),
    "text.top_p": _("Top-p (1 = off)", "Top-p (1 = desactivado)"),
    "text.new_seed": _("🎲 New seed", "🎲 Semilla nueva"),
    "text.stepper": _("Step through it: pick the next token yourself", "Paso a paso: elige tú el siguiente token"),
    "text.model_info": _("Bundled, your fine-tunes, or a Hub id such as distilgpt2 (needs internet)",
                         "El incluido, tus ajustes finos o un id del Hub como distilgpt2 (necesita internet)"),
    "text.about": _("About this model", "Sobre este modelo"),
    "text.candidates_info": _("K > 1: make K texts and show the one a scorer fitted to your ratings likes best",
                              "K > 1: genera K textos y muestra el que más le gusta a un evaluador ajustado a "
                              "vuestras valoraciones"),
    "text.latest": _("Next-token probabilities (latest step)", "Probabilidades del siguiente token (último paso)"),
    "text.stats": _("{n} tokens in {seconds:.2f} s ({rate:.0f} tokens/s) · model `{model}` · seed {seed}",
                    "{n} tokens en {seconds:.2f} s ({rate:.0f} tokens/s) · modelo `{model}` · semilla {seed}"),
    "text.best_stats": _("{k} candidates in {seconds:.2f} s · model `{model}` · seed {seed}",
                         "{k} candidatos en {seconds:.2f} s · modelo `{model}` · semilla {seed}"),
    "text.fallback": _("⚠️ {error} Using the bundled model instead.", "⚠️ {error} Se usa el modelo incluido."),
    "text.added_picked": _("Added `{label}` (you picked it). {note}", "Añadido `{label}` (lo elegiste tú). {note}"),
    "text.added_drawn": _("Added `{label}` (the sampler drew it). {note}",
                          "Añadido `{label}` (lo sacó el muestreador). {note}"),
    "text.val_loss": _("validation loss {loss} nats/char", "pérdida de validación {loss} nats/carácter"),
    "text.saved": _("Saved **{name}**: {score} after {steps} steps ({seconds:.0f} s). It is now selected as the "
                    "model, and joins the blind comparisons on the Feedback tab.",
                    "Guardado **{name}**: {score} tras {steps} pasos ({seconds:.0f} s). Ahora es el modelo "
                    "seleccionado y entra en las comparaciones a ciegas de la pestaña Valoraciones."),
    "text.training": _("Training… step {step}, {seconds:.0f} s", "Entrenando… paso {step}, {seconds:.0f} s"),
    "text.step": _("step {step}", "paso {step}"),
    "text.stepper_help": _("Write a start, look at what the model expects next, then add the token you choose or "
                           "let the sampler draw one (using the temperature, top-k/p and seed above).",
                           "Escribe un comienzo, mira qué espera el modelo a continuación y añade el token que "
                           "elijas o deja que el muestreador saque uno (con la temperatura, top-k/p y la semilla "
                           "de arriba)."),
    "text.so_far": _("Text so far", "Texto hasta ahora"),
    "text.pick": _("Most likely next tokens (pick one)", "Siguientes tokens más probables (elige uno)"),
    "text.show": _("Show next-token probabilities", "Mostrar probabilidades del siguiente token"),
    "text.add": _("Add the picked token", "Añadir el token elegido"),
    "text.draw": _("Let the sampler pick", "Que elija el muestreador"),
    "text.show_first": _("Show the next-token probabilities first.", "Muestra primero las probabilidades del "
                         "siguiente token."),
    "text.tune": _("Fine-tune on your own text", "Ajuste fino con tu propio texto"),
    "text.tune_help": _("Upload a UTF-8 .txt file (a few KB to a few MB). The selected model keeps learning on it "
                        "for a few hundred steps; the new model is saved in the data folder (the bundled one is never "
                        "overwritten) and selected, so **Generate** uses it right away. **Learn from feedback** does "
                        "the same with the texts people rated 4 or 5; **Learn from votes** runs Direct Preference "
                        "Optimisation on the texts people preferred over others (blind A/B votes on the Feedback tab, "
                        "and ratings of the same prompt 2 or more apart).",
                        "Sube un archivo .txt en UTF-8 (de unos KB a unos MB). El modelo seleccionado sigue "
                        "aprendiendo con él unos cientos de pasos; el modelo nuevo se guarda en la carpeta de datos (el "
                        "incluido nunca se sobrescribe) y queda seleccionado, así que **Generar** lo usa enseguida. "
                        "**Aprender de las valoraciones** hace lo mismo con los textos valorados con 4 o 5; **Aprender "
                        "de los votos** aplica Direct Preference Optimisation (DPO) a los textos preferidos frente a "
                        "otros (votos a ciegas A/B en la pestaña Valoraciones y valoraciones del mismo texto inicial "
                        "separadas por 2 o más)."),
    "text.upload": _("Your text (.txt)", "Tu texto (.txt)"),
    "text.steps": _("Training steps", "Pasos de entrenamiento"),
    "text.finetune": _("Fine-tune", "Ajuste fino"),
    "text.learn": _("Learn from feedback (texts rated 4-5)", "Aprender de las valoraciones (textos con 4-5)"),
    "text.dpo": _("Learn from votes (DPO on preferred vs rejected texts)",
                  "Aprender de los votos (DPO con textos preferidos frente a rechazados)"),
    "text.example": _("Example text", "Texto de ejemplo"),
    "text.loss": _("Loss (nats per character)", "Pérdida (nats por carácter)"),
}

IMAGES = {
    "images.intro": _(
        "**Images from noise.** A generator turns a handful of random numbers (the *noise*, fixed by the seed) into "
        "a 28x28 handwritten digit; it learned this from 8,500 real MNIST digits. Pick a model and a seed, ask the "
        "conditional GAN or the diffusion model for a digit, watch the diffusion model turn pure noise into a digit "
        "step by step, move the sliders to walk through the noise, morph one sample into another, or watch a new "
        "model learn from scratch.",
        "**Imágenes a partir de ruido.** Un generador convierte un puñado de números al azar (el *ruido*, fijado por "
        "la semilla) en un dígito manuscrito de 28x28; lo aprendió de 8.500 dígitos reales de MNIST. Elige un modelo "
        "y una semilla, pide un dígito a la GAN condicional o al modelo de difusión, mira cómo el modelo de difusión "
        "convierte ruido puro en un dígito paso a paso, mueve los deslizadores para recorrer el ruido, transforma una "
        "muestra en otra o mira cómo aprende un modelo nuevo desde cero."),
    "images.new_noise": _("New noise", "Ruido nuevo"),
    "images.grid_size": _("Grid size", "Tamaño de la cuadrícula"),
    "images.sliders": _("Latent sliders", "Deslizadores del espacio latente"),
    "images.reset": _("Reset sliders", "Poner deslizadores a cero"),
    "images.slider_help": _(
        "Each slider moves the noise along one direction that changes the picture most (GAN: principal components "
        "of the generator's first layer, as in GANSpace; VAE: principal directions of where the encoder puts real "
        "digits). Values are in standard deviations. Diffusion: each slider adds one smooth, blurry wave pattern "
        "(the flat one, a diagonal, centre-versus-sides, ...) to the starting noise; the sampler settles the "
        "digit's coarse shape from the noise's low frequencies, so the digit thickens, slants, widens or shifts "
        "smoothly.",
        "Cada deslizador mueve el ruido en una de las direcciones que más cambian la imagen (GAN: componentes "
        "principales de la primera capa del generador, como en GANSpace; VAE: direcciones principales de donde el "
        "codificador coloca los dígitos reales). Los valores están en desviaciones típicas. Difusión: cada "
        "deslizador añade al ruido inicial un patrón de ondas suave y borroso (el plano, una diagonal, centro "
        "frente a lados, ...); el muestreador fija la forma gruesa del dígito a partir de las frecuencias bajas del "
        "ruido, así que el dígito engorda, se inclina, se ensancha o se desplaza poco a poco."),
    "images.interpolation_help": _(
        "Walk from the image above (seed and sliders) to the noise of a second seed, along the sphere where "
        "Gaussian noise lives (spherical interpolation, slerp). With the conditional model you can also morph one "
        "digit into another.",
        "Camina de la imagen de arriba (semilla y deslizadores) al ruido de una segunda semilla, por la esfera donde "
        "vive el ruido gaussiano (interpolación esférica, slerp). Con el modelo condicional también puedes "
        "transformar un dígito en otro."),
    "images.watch_help": _(
        "Train a brand-new model from scratch for a few seconds and watch the same 16 noise vectors turn from blur "
        "into digits. (The bundled models trained for minutes.)",
        "Entrena un modelo nuevo desde cero durante unos segundos y mira cómo los mismos 16 vectores de ruido pasan "
        "de manchas a dígitos. (Los modelos incluidos entrenaron durante minutos.)"),
    "images.info": _("**{model}** (weights {hash}), seed {seed}. Same seed, same image.",
                     "**{model}** (pesos {hash}), semilla {seed}. Misma semilla, misma imagen."),
    "images.info_digit": _("**{model}** (weights {hash}), seed {seed}, digit {digit}. Same seed, same image.",
                           "**{model}** (pesos {hash}), semilla {seed}, dígito {digit}. Misma semilla, misma imagen."),
    "images.watch_status": _("step {step}, {seconds:.0f} s of {total:g} s", "paso {step}, {seconds:.0f} s de {total:g} s"),
    "images.watch_judge": _("; the judge recognises {n} of these {total} digits",
                            "; el juez reconoce {n} de estos {total} dígitos"),
    "images.watch_losses": _("; losses: {losses}", "; pérdidas: {losses}"),
    "images.dpo": _("Learn from votes (Diffusion-DPO)", "Aprender de los votos (Diffusion-DPO)"),
    "images.dpo_help": _(
        "The diffusion model can learn what the class prefers. Every blind vote between two images (Feedback tab, "
        "Compare) and every two images of the same digit whose ratings differ by 2 stars or more make a pair: "
        "the preferred image and the other one. **Diffusion-DPO** (Wallace et al. 2023) then nudges a copy of "
        "the model so that it removes noise from the preferred images a little better than its parent does, and "
        "from the others a little worse, while staying close to the parent. The result is a new version: it "
        "joins the blind comparisons at once, so the class can check whether it really got better. It takes "
        "about half a minute; Stop throws the run away.",
        "El modelo de difusión puede aprender lo que prefiere la clase. Cada voto a ciegas entre dos imágenes "
        "(pestaña Valoraciones, Comparar) y cada dos imágenes del mismo dígito cuyas valoraciones difieren en 2 "
        "estrellas o más forman un par: la imagen preferida y la otra. **Diffusion-DPO** (Wallace et al. 2023) "
        "ajusta entonces una copia del modelo para que quite el ruido de las imágenes preferidas un poco mejor "
        "que su modelo padre, y el de las otras un poco peor, sin alejarse mucho del padre. El resultado es una "
        "versión nueva: entra enseguida en las comparaciones a ciegas, así que la clase puede comprobar si de "
        "verdad mejoró. Tarda medio minuto más o menos; Detener descarta el entrenamiento."),
    "images.dpo_start": _("Learn from votes", "Aprender de los votos"),
    "images.dpo_step": _("step {step}: DPO loss {loss:.3f}; the copy favours the preferred image in {acc:.0%} of "
                         "pairs ({seconds:.0f} s)",
                         "paso {step}: pérdida DPO {loss:.3f}; la copia favorece la imagen preferida en el "
                         "{acc:.0%} de los pares ({seconds:.0f} s)"),
    "images.dpo_saved": _("Saved the new version **{name}**: {pairs} preference pairs, {steps} steps, {seconds:.0f} s. "
                          "It is selected above and joins the blind comparisons on the Feedback tab.",
                          "Guardada la versión nueva **{name}**: {pairs} pares de preferencias, {steps} pasos, "
                          "{seconds:.0f} s. Está seleccionada arriba y entra en las comparaciones a ciegas de la "
                          "pestaña Valoraciones."),
    "images.problems": _("⚠️ These checkpoints are missing or unreadable, so their models cannot draw yet:",
                         "⚠️ Faltan estos checkpoints o no se pueden leer, así que sus modelos aún no pueden dibujar:"),
    "images.no_model": _("⚠️ No image model found in assets/models. Train one with: "
                         "`python -m playground.train gan --out assets/models/gan-digits`",
                         "⚠️ No hay ningún modelo de imágenes en assets/models. Entrena uno con: "
                         "`python -m playground.train gan --out assets/models/gan-digits`"),
    "images.digit": _("Digit", "Dígito"),
    "images.digit_info": _("The conditional model draws the digit you ask for.",
                           "El modelo condicional dibuja el dígito que pidas."),
    "images.any": _("any", "cualquiera"),
    "images.smooth": _("Smooth upscaling (bicubic)", "Ampliación suave (bicúbica)"),
    "images.like": _("More like what I liked", "Más como lo que me gustó"),
    "images.like_info": _("Moves the noise toward images rated highly (needs 5+ ratings of this model); used by every "
                          "drawing below", "Mueve el ruido hacia las imágenes mejor valoradas (necesita 5 o más "
                          "valoraciones de este modelo); lo usan todos los dibujos de abajo"),
    "images.sample": _("Sample (seed)", "Muestra (semilla)"),
    "images.grid": _("Grid (seeds seed, seed+1, ...)", "Cuadrícula (semillas semilla, semilla+1, ...)"),
    **{f"images.direction.{i}": _(f"Direction {i}", f"Dirección {i}") for i in range(1, 7)},
    "images.interpolation": _("Interpolation", "Interpolación"),
    "images.seed_b": _("Second seed", "Segunda semilla"),
    "images.digit_b": _("Second digit", "Segundo dígito"),
    "images.steps": _("Steps", "Pasos"),
    "images.interpolate": _("Interpolate", "Interpolar"),
    "images.strip": _("Interpolation strip", "Tira de interpolación"),
    "images.gif": _("Animated GIF", "GIF animado"),
    "images.watch": _("Watch it learn", "Míralo aprender"),
    "images.train": _("Train", "Entrenar"),
    "images.seconds": _("Seconds", "Segundos"),
    "images.start": _("Start training", "Empezar a entrenar"),
    "images.learn_grid": _("Samples of fixed noise", "Muestras de un ruido fijo"),
    "images.losses": _("Losses", "Pérdidas"),
    # model names on the radio (playground/images/catalog.py labels)
    "name.GAN": _("GAN", "GAN"),
    "name.Conditional GAN": _("Conditional GAN", "GAN condicional"),
    "name.VAE": _("VAE", "VAE"),
    "name.Conditional VAE": _("Conditional VAE", "VAE condicional"),
    "name.Diffusion": _("Diffusion", "Difusión"),
    # diffusion (tabs/images_diffusion.py)
    "diffusion.help": _("**Diffusion settings.** The model removes noise step by step; *any digit* lets the noise "
                        "decide which digit appears (no guidance).",
                        "**Ajustes de difusión.** El modelo quita ruido paso a paso; con *cualquiera* es el ruido el "
                        "que decide qué dígito aparece (sin guía)."),
    "diffusion.strip": _("From noise to digit: the noisy image x_t (top) and the model's guess of the clean digit "
                         "(bottom)", "Del ruido al dígito: la imagen ruidosa x_t (arriba) y lo que el modelo cree que "
                         "es el dígito limpio (abajo)"),
    "diffusion.steps": _("Sampling steps", "Pasos de muestreo"),
    "diffusion.steps_info": _("Few steps are fast but blurry; many are slow and clean.",
                              "Pocos pasos: rápido pero borroso; muchos: lento y limpio."),
    "diffusion.guidance": _("Guidance scale", "Escala de guía"),
    "diffusion.guidance_info": _("How hard to push toward the asked digit: 0 ignores it, 1 is the plain conditional "
                                 "model, more gives more typical digits.",
                                 "Cuánto empujar hacia el dígito pedido: 0 lo ignora, 1 es el modelo condicional tal "
                                 "cual, más da dígitos más típicos."),
    "diffusion.sampler": _("Sampler", "Muestreador"),
    "diffusion.ddim": _("DDIM (same path every time)", "DDIM (el mismo camino cada vez)"),
    "diffusion.ddpm": _("DDPM (fresh noise at each step)", "DDPM (ruido nuevo en cada paso)"),
    "diffusion.denoising": _("Denoising (animated)", "Quitando ruido (animado)"),
    "diffusion.cost": _("**What the steps cost.** This draw: {n} images at {steps} {sampler} steps in {ms:,.0f} ms "
                        "({per:,.0f} ms per image) on this server.",
                        "**Lo que cuestan los pasos.** Este dibujo: {n} imágenes con {steps} pasos {sampler} en "
                        "{ms:,.0f} ms ({per:,.0f} ms por imagen) en este servidor."),
    "diffusion.cost_one": _("**What the steps cost.** This draw: 1 image at {steps} {sampler} steps in {ms:,.0f} ms "
                            "({per:,.0f} ms per image) on this server.",
                            "**Lo que cuestan los pasos.** Este dibujo: 1 imagen con {steps} pasos {sampler} en "
                            "{ms:,.0f} ms ({per:,.0f} ms por imagen) en este servidor."),
    "diffusion.table": _("| steps | ms / image | asked digit | distance |",
                         "| pasos | ms / imagen | dígito pedido | distancia |"),
    "diffusion.card": _("From the model card: CPU ms for one image with its strip (one thread); quality of 500 digits "
                        "judged by `mnist-judge`; *distance*: Fréchet distance to real test digits in the judge's "
                        "features (lower is closer to real handwriting).",
                        "De la ficha del modelo: ms de CPU por imagen con su tira (un hilo); calidad de 500 dígitos "
                        "juzgada por `mnist-judge`; *distancia*: distancia de Fréchet a dígitos reales de prueba en "
                        "las características del juez (más baja = más parecida a la escritura real)."),
}

MUSIC = {
    # the RL Tuner (tabs/music_learn.py)
    "music.rl": _("Learn from feedback (RL Tuner)", "Aprender de las valoraciones (RL Tuner)"),
    "music.rl_help": _(
        "The chorale LSTM can learn from the class the way **RL Tuner** (Jaques et al. 2017) and RLHF do. A copy "
        "of the model composes 2 bars after a chorale opening, again and again; each result gets a **reward**: "
        "the rating a scorer fitted to your music ratings predicts for it (once at least 5 outputs of this model "
        "are rated, some higher and some lower), minus the voice-leading rules it breaks (notes out of the key, "
        "parallel fifths and octaves, crossing voices, notes out of range). Policy gradient then makes the "
        "well-rewarded choices a little more likely, while a **KL penalty** keeps the copy close to its parent, "
        "so it still writes like Bach. The status line shows the rules broken and the predicted rating before "
        "and after, on the same fresh samples. The new version joins the blind comparisons on the Feedback tab "
        "at once. It takes about a minute; Stop throws the run away.",
        "La LSTM de corales puede aprender de la clase como lo hacen **RL Tuner** (Jaques et al. 2017) y RLHF. "
        "Una copia del modelo compone 2 compases tras el comienzo de un coral, una y otra vez; cada resultado "
        "recibe una **recompensa**: la valoración que le predice un evaluador ajustado a vuestras valoraciones de "
        "música (cuando hay al menos 5 resultados de este modelo valorados, unos más y otros menos) menos las "
        "reglas de conducción de voces que incumple (notas fuera de la tonalidad, quintas y octavas paralelas, "
        "voces que se cruzan, notas fuera de registro). El gradiente de la política hace un poco más probables "
        "las elecciones bien recompensadas, y una **penalización KL** mantiene la copia cerca de su modelo padre, "
        "para que siga escribiendo como Bach. La línea de estado muestra las reglas incumplidas y la valoración "
        "predicha antes y después, sobre las mismas muestras nuevas. La versión nueva entra enseguida en las "
        "comparaciones a ciegas de la pestaña Valoraciones. Tarda un minuto más o menos; Detener descarta el "
        "entrenamiento."),
    "music.rl_model": _("Start from", "Partir de"),
    "music.rl_model_info": _("the chorale LSTM or one of its versions learned from feedback",
                             "la LSTM de corales o una de sus versiones aprendidas de las valoraciones"),
    "music.rl_start": _("Learn from feedback", "Aprender de las valoraciones"),
    "music.rl_curve": _("Reward, loss and distance from the parent (KL)",
                        "Recompensa, pérdida y distancia al padre (KL)"),
    "music.rl_begin": _("Measuring the parent on fresh samples, then training on {what}.",
                        "Midiendo el modelo padre con muestras nuevas; después, entrenamiento con {what}."),
    "music.rl_with_rater": _("the raters' scorer and the voice-leading rules",
                             "el evaluador de las valoraciones y las reglas de conducción de voces"),
    "music.rl_rules_only": _("the voice-leading rules alone (rate at least 5 outputs of this model, some higher and "
                             "some lower, to add your taste)",
                             "solo las reglas de conducción de voces (valora al menos 5 resultados de este modelo, "
                             "unos más y otros menos, para añadir vuestro gusto)"),
    "music.rl_step": _("step {step}: mean reward {reward:.3f}, {kl:.2f} nats from the parent ({seconds:.0f} s)",
                       "paso {step}: recompensa media {reward:.3f}, a {kl:.2f} nats del padre ({seconds:.0f} s)"),
    "music.rl_saved": _(
        "Saved the new version **{name}** ({ratings} ratings, {steps} steps, {seconds:.0f} s). Before → after, on "
        "the same fresh samples: notes out of the key {out_of_key_b:.1f} % → {out_of_key_a:.1f} %, parallel fifths "
        "and octaves {parallels_b:.1f} % → {parallels_a:.1f} % of the moves of two voices, crossings "
        "{crossings_b:.1f} % → {crossings_a:.1f} % of the steps, notes out of range {out_of_range_b:.1f} % → "
        "{out_of_range_a:.1f} %. It is selected above and joins the blind comparisons on the Feedback tab.",
        "Guardada la versión nueva **{name}** ({ratings} valoraciones, {steps} pasos, {seconds:.0f} s). Antes → "
        "después, sobre las mismas muestras nuevas: notas fuera de la tonalidad {out_of_key_b:.1f} % → "
        "{out_of_key_a:.1f} %, quintas y octavas paralelas {parallels_b:.1f} % → {parallels_a:.1f} % de los "
        "movimientos de dos voces, cruces {crossings_b:.1f} % → {crossings_a:.1f} % de los pasos, notas fuera de "
        "registro {out_of_range_b:.1f} % → {out_of_range_a:.1f} %. Está seleccionada arriba y entra en las "
        "comparaciones a ciegas de la pestaña Valoraciones."),
    "music.rl_rated": _("Predicted rating: {before:.2f} → {after:.2f}.",
                        "Valoración predicha: {before:.2f} → {after:.2f}."),
    "music.notes": _("Notes", "Notas"),
    "music.mode": _("Mode", "Modo"),
    "music.compose": _("Compose", "Componer"),
    "music.audio": _("Audio", "Audio"),
    "music.roll": _("Piano roll", "Piano roll (rollo de piano)"),
    "music.notes_out": _("Notes of the result (the piano roll as text)", "Notas del resultado (el piano roll como texto)"),
    "music.intro": _("Compose in the style of Bach's chorales: continue a seed, or type a melody and let the model "
                     "write alto, tenor and bass under it.",
                     "Compón al estilo de los corales de Bach: continúa una semilla o escribe una melodía y deja que "
                     "el modelo escriba contralto, tenor y bajo debajo. La música sigue siendo de estilo Bach y las "
                     "notas se escriben en notación inglesa (C4 = do central)."),
    "music.source": _("Seed", "Semilla musical"),
    "music.typed": _("Typed notes", "Notas escritas"),
    "music.chorale_opening": _("Chorale opening (test split)", "Comienzo de un coral (conjunto de prueba)"),
    "music.midi_upload": _("MIDI upload", "Subir un MIDI"),
    "music.continue": _("Continue: compose more bars", "Continuar: componer más compases"),
    "music.harmonise": _("Harmonise: your melody on top, the Coconet model writes alto, tenor, bass",
                         "Armonizar: tu melodía arriba; el modelo Coconet escribe contralto, tenor y bajo"),
    "music.notes_help": _("Note names with octave, C4 = middle C; optional length in beats after a colon (C4:2 = half "
                          "note, E4:0.5 = eighth); R is a rest. The melody is the soprano (G3 to C6).",
                          "Nombres de nota en inglés con octava, C4 = do central (C D E F G A B = do re mi fa sol la "
                          "si); duración opcional en tiempos tras dos puntos (C4:2 = blanca, E4:0.5 = corchea); R es "
                          "un silencio. La melodía es la soprano (G3 a C6)."),
    "music.chorale": _("Chorale opening (first 4 bars)", "Comienzo de un coral (primeros 4 compases)"),
    "music.midi": _("MIDI file (a one-line melody, or four tracks S/A/T/B)",
                    "Archivo MIDI (una melodía de una línea o cuatro pistas S/A/T/B)"),
    "music.temperature_info": _("lower = safer, higher = more adventurous", "más baja = más segura, más alta = más atrevida"),
    "music.bars": _("Bars to add (continue)", "Compases que añadir (continuar)"),
    "music.tempo": _("Tempo (quarter notes per minute)", "Tempo (negras por minuto)"),
    "music.candidates_info": _("K > 1: compose K versions and keep the one a scorer fitted to your ratings likes best",
                               "K > 1: compone K versiones y se queda con la que más le gusta a un evaluador ajustado a "
                               "vuestras valoraciones"),
    "music.key_lock": _("Key lock", "Fijar la tonalidad"),
    "music.key_lock_info": _("harmonise: alto, tenor and bass use only notes of the melody's key",
                             "armonizar: contralto, tenor y bajo usan solo notas de la tonalidad de la melodía"),
    "music.gibbs": _("Gibbs steps", "Pasos de Gibbs"),
    "music.gibbs_info": _("passes in which the harmoniser rewrites part of its notes; more = slower",
                          "pasadas en las que el armonizador reescribe parte de sus notas; más = más lento"),
    "music.sound": _("Sound", "Sonido"),
    "music.sound_info": _("FluidSynth with a General MIDI soundfont (the built-in synth if it is missing)",
                          "FluidSynth con un soundfont General MIDI (el sintetizador interno si falta)"),
    "music.choir": _("choir", "coro"),
    "music.organ": _("organ", "órgano"),
    "music.strings": _("strings", "cuerdas"),
    "music.midi_out": _("MIDI download", "Descargar MIDI"),
    "music.examples": _("Example melodies", "Melodías de ejemplo"),
    "music.probe": _("Next-note probabilities: why this note?", "Probabilidades de la siguiente nota: ¿por qué esta nota?"),
    "music.voice": _("Voice", "Voz"),
    "music.beat": _("Beat", "Tiempo"),
    "music.beat_info": _("1 = the first beat; 1.5 = the eighth note after it",
                         "1 = el primer tiempo; 1,5 = la corchea siguiente"),
    "voice.soprano": _("Soprano", "Soprano"),
    "voice.alto": _("Alto", "Contralto"),
    "voice.tenor": _("Tenor", "Tenor"),
    "voice.bass": _("Bass", "Bajo"),
    # tabs/music_view.py
    "music.chart_title": _("Next-note probabilities", "Probabilidades de la siguiente nota"),
    "music.chart_empty": _("Compose or harmonise, then pick a voice and a beat to see which notes the harmoniser "
                           "considered.", "Compón o armoniza; luego elige una voz y un tiempo para ver qué notas "
                           "consideró el armonizador."),
    "music.no_coconet": _("The Coconet harmoniser is not installed.", "El armonizador Coconet no está instalado."),
    "music.chart_at": _("{voice} at {where} (the output {here}): the notes the harmoniser considered, given every "
                        "other note", "{voice} en {where} (el resultado {here}): las notas que consideró el "
                        "armonizador, dadas todas las demás"),
    "music.chart_key_lock": _(", key lock on", ", tonalidad fijada"),
    "music.rests": _("rests", "tiene un silencio"),
    "music.sings": _("sings {note}", "canta {note}"),
    "music.where": _("bar {bar} beat {beat}", "compás {bar} tiempo {beat}"),
    "music.continue_mode": _("Continue", "Continuar"),
    "music.harmonise_mode": _("Harmonise", "Armonizar"),
    "music.describe": _("**{mode}**, {bars:g} bars at {tempo:g} bpm: {counts} notes (model `{model}` {hash}, seed "
                        "{seed}, temperature {temperature:g}{extra}). Same inputs and seed give the same notes.",
                        "**{mode}**, {bars:g} compases a {tempo:g} ppm: notas {counts} (modelo `{model}` {hash}, "
                        "semilla {seed}, temperatura {temperature:g}{extra}). Las mismas entradas y la misma semilla "
                        "dan las mismas notas."),
    "music.gibbs_extra": _(", {steps} Gibbs steps, key lock {lock}", ", {steps} pasos de Gibbs, tonalidad fijada: {lock}"),
    "music.on": _("on", "sí"),
    "music.off": _("off", "no"),
    "music.sound_used": _("Sound: {sound}.", "Sonido: {sound}."),
    "music.report": _("### Voice-leading report", "### Informe de conducción de voces"),
    "music.your_melody": _(" That is your melody: the model keeps it as given.",
                           " Es tu melodía: el modelo la deja tal como la diste."),
    "music.parallels_note": _("On the piano roll a parallel is a red band where it arrives, labelled P5 (fifths) or P8 "
                              "(octaves), with the notes of the two voices outlined in black.",
                              "En el piano roll, una paralela es una banda roja donde llega, marcada P5 (quintas) u P8 "
                              "(octavas), con las notas de las dos voces bordeadas en negro."),
    "music.silent": _("(silent)", "(en silencio)"),
    "music.step.placeholder": _("E5 or E5:2", "E5 o E5:2"),
    # tabs/music_step.py
    "music.step.title": _("Step mode: write the melody note by note, the harmony follows",
                          "Paso a paso: escribe la melodía nota a nota y la armonía la sigue"),
    "music.step.intro": _("Start with a few notes, press **Harmonise and propose**, then add one note at a time: pick "
                          "one the model proposes (the chart shows how likely the LSTM thinks each next soprano note "
                          "is, given all four voices so far), type your own, or let the model pick. After every note "
                          "the Coconet harmoniser writes alto, tenor and bass under the whole melody again, and the "
                          "result plays.",
                          "Empieza con unas notas, pulsa **Armonizar y proponer** y añade una nota cada vez: elige una "
                          "de las que propone el modelo (el gráfico muestra qué probabilidad da el LSTM a cada "
                          "siguiente nota de la soprano, dadas las cuatro voces hasta ahora), escribe la tuya o deja "
                          "que elija el modelo. Tras cada nota, el armonizador Coconet vuelve a escribir contralto, "
                          "tenor y bajo bajo toda la melodía, y el resultado suena."),
    "music.step.melody": _("Melody so far (the soprano)", "Melodía hasta ahora (la soprano)"),
    "music.step.melody_info": _("C5 = the C above middle C; C5:2 lasts two beats",
                                "C5 = el do encima del do central; C5:2 dura dos tiempos"),
    "music.step.show": _("Harmonise and propose", "Armonizar y proponer"),
    "music.step.pick": _("Proposed next notes (pick one)", "Siguientes notas propuestas (elige una)"),
    "music.step.typed": _("…or type a note", "…o escribe una nota"),
    "music.step.length": _("Length (beats)", "Duración (tiempos)"),
    "music.step.add": _("Add the note", "Añadir la nota"),
    "music.step.draw": _("Let the model pick", "Que elija el modelo"),
    "music.step.undo": _("Undo", "Deshacer"),
    "music.step.chart_title": _("The next soprano note, at {where}: the LSTM's probabilities given all four voices "
                                "so far", "La siguiente nota de la soprano, en {where}: las probabilidades del LSTM "
                                "dadas las cuatro voces hasta ahora"),
    "music.step.chart_key_lock": _(", key lock on ({tonality})", ", tonalidad fijada ({tonality})"),
    "music.step.chart_start": _("The next soprano note", "La siguiente nota de la soprano"),
    "music.step.chart_empty": _("Press “Harmonise and propose” to see which notes the model expects next.",
                                "Pulsa «Armonizar y proponer» para ver qué notas espera el modelo a continuación."),
    "music.step.status": _("**{n} notes**, {beats} beats, in {tonality}. ",
                           "**{n} notas**, {beats} tiempos, en {tonality}. "),
}

FEEDBACK = {
    "feedback.refresh": _("Refresh", "Actualizar"),
    "feedback.table": _("Ratings per model", "Valoraciones por modelo"),
    "feedback.comments": _("Latest comments", "Últimos comentarios"),
    "feedback.intro": _(
        "Every output in this app can be rated from 1 to 5 with an optional comment (the box under it). This page "
        "shows what people thought: how many ratings each model got and their average, how the ratings spread and "
        "change over time, and the latest comments. The ratings also teach the models: the Images tab can steer "
        "toward what was liked, Text and Music can pick the best of several candidates, and the text model can be "
        "fine-tuned on its best-rated outputs. Export everything as CSV or JSON Lines to study it yourself, or as "
        "the preference files training libraries read (KTO, DPO, Arena battles). Below, compare two model versions "
        "blind and see the Bradley-Terry leaderboard of your votes.",
        "Cada resultado de esta app se puede valorar de 1 a 5 con un comentario opcional (el cuadro de debajo). Esta "
        "página muestra qué opinó la gente: cuántas valoraciones recibió cada modelo y su media, cómo se reparten y "
        "cambian con el tiempo, y los últimos comentarios. Las valoraciones también enseñan a los modelos: la "
        "pestaña Imágenes puede orientarse hacia lo que gustó, Texto y Música pueden elegir el mejor de varios "
        "candidatos y el modelo de texto puede ajustarse con sus resultados mejor valorados. Exporta todo como CSV "
        "o JSON Lines para estudiarlo tú, o como los archivos de preferencias que leen las bibliotecas de "
        "entrenamiento (KTO, DPO, batallas de Arena). Abajo, compara a ciegas dos versiones de un modelo y mira la "
        "clasificación Bradley-Terry de vuestros votos."),
    "feedback.needs_password": _(" The comments and exports need the admin password.",
                                 " Los comentarios y las exportaciones necesitan la contraseña de administración."),
    "feedback.none": _("No ratings yet. Rate an output in any tab, then press Refresh.",
                       "Aún no hay valoraciones. Valora un resultado en cualquier pestaña y pulsa Actualizar."),
    "feedback.head": _("**{n} ratings**, mean **{mean:.2f}**/5. By modality: {parts}.",
                       "**{n} valoraciones**, media **{mean:.2f}**/5. Por modalidad: {parts}."),
    "feedback.head_one": _("**1 rating**, mean **{mean:.2f}**/5. By modality: {parts}.",
                           "**1 valoración**, media **{mean:.2f}**/5. Por modalidad: {parts}."),
    "feedback.part": _("{modality} {count} (mean {mean:.2f})", "{modality} {count} (media {mean:.2f})"),
    "feedback.password_comments": _("Enter the admin password to see the comments.",
                                    "Escribe la contraseña de administración para ver los comentarios."),
    "feedback.password_export": _("Enter the admin password to export the ratings.",
                                  "Escribe la contraseña de administración para exportar las valoraciones."),
    "feedback.unknown_export": _("Unknown export '{kind}'.", "Exportación desconocida '{kind}'."),
    "feedback.no_versions": _("No versions yet.", "Aún no hay versiones."),
    "feedback.hist": _("Rating histogram", "Histograma de valoraciones"),
    "feedback.over_time": _("Ratings over time (UTC; hover for the mean)",
                            "Valoraciones en el tiempo (UTC; pasa el ratón para ver la media)"),
    "feedback.over_time_label": _("Ratings over time", "Valoraciones en el tiempo"),
    "feedback.rating_axis": _("rating", "valoración"),
    "feedback.count_axis": _("count", "cantidad"),
    "feedback.time_axis": _("time", "hora"),
    **{f"feedback.col.{en}": _(en, es) for en, es in (
        ("time", "hora"), ("modality", "modalidad"), ("model", "modelo"), ("rating", "valoración"),
        ("comment", "comentario"), ("count", "cantidad"), ("mean", "media"), ("strength", "fuerza"),
        ("low", "mínimo 95 %"), ("high", "máximo 95 %"), ("votes", "votos"), ("win_rate", "tasa de victorias"))},
    "feedback.password": _("Admin password", "Contraseña de administración"),
    "feedback.password_info": _("Needed for the comments and the exports.",
                                "Necesaria para los comentarios y las exportaciones."),
    "feedback.export_csv": _("Export CSV", "Exportar CSV"),
    "feedback.export_jsonl": _("Export JSONL", "Exportar JSONL"),
    "feedback.export_kto": _("KTO preferences (TRL)", "Preferencias KTO (TRL)"),
    "feedback.export_dpo": _("DPO pairs (TRL)", "Pares DPO (TRL)"),
    "feedback.export_battles": _("Arena battles", "Batallas de Arena"),
    "feedback.download": _("Download", "Descargar"),
    "feedback.versions_of": _("Versions of", "Versiones de"),
    "feedback.show_lineage": _("Show lineage", "Mostrar el linaje"),
    "feedback.compare": _("Blind comparison (A/B): vote", "Comparación a ciegas (A/B): vota"),
    "feedback.lineage": _("Model versions (lineage)", "Versiones del modelo (linaje)"),
    # blind comparison (tabs/compare.py)
    "compare.stored": _("Your vote is stored with both outputs, their settings and an anonymous session id (no IP "
                        "address); it may be exported for research and to train the models.",
                        "Tu voto se guarda con los dos resultados, sus ajustes y un identificador de sesión anónimo "
                        "(sin dirección IP); puede exportarse para investigar y entrenar los modelos."),
    "compare.text_help": _("Prompt both versions continue", "Texto inicial que continúan las dos versiones"),
    "compare.image_help": _("Digit both versions draw (0-9, empty = any)",
                            "Dígito que dibujan las dos versiones (0-9, vacío = cualquiera)"),
    "compare.music_help": _("Melody both versions harmonise (note names, e.g. C5 D5 E5:2)",
                            "Melodía que armonizan las dos versiones (nombres de nota, p. ej. C5 D5 E5:2)"),
    "compare.which": _("Which is better? Vote below; the versions are revealed after your vote.",
                       "¿Cuál es mejor? Vota abajo; las versiones se revelan después de tu voto."),
    "compare.press_first": _("Press Compare first to get a pair to vote on.",
                             "Pulsa Comparar primero para tener una pareja que votar."),
    "compare.thanks": _("Thanks: you said **{said}**. A was `{model_a}` ({hash_a}), B was `{model_b}` ({hash_b}).",
                        "Gracias: dijiste **{said}**. A era `{model_a}` ({hash_a}), B era `{model_b}` ({hash_b})."),
    "compare.a": _("A is better", "A es mejor"),
    "compare.b": _("B is better", "B es mejor"),
    "compare.tie": _("Tie", "Empate"),
    "compare.said_tie": _("a tie", "empate"),
    "compare.both_bad": _("Both bad", "Las dos malas"),
    "compare.said_both_bad": _("both bad", "las dos malas"),
    "compare.of": _("Compare versions of", "Comparar versiones de"),
    "compare.go": _("Compare", "Comparar"),
    **{f"compare.{what}.{side}": _(f"{en} {side}", f"{es} {side}") for side in "AB"
       for what, en, es in (("output", "Output", "Resultado"), ("image", "Image", "Imagen"), ("audio", "Audio", "Audio"))},
    "compare.board": _("Leaderboard (Bradley-Terry strength, 95 % bootstrap interval)",
                       "Clasificación (fuerza Bradley-Terry, intervalo bootstrap del 95 %)"),
    # the leaderboard chart and quality over time (tabs/feedback_charts.py)
    "board.section": _("Leaderboard and progress of the versions", "Clasificación y progreso de las versiones"),
    "board.of": _("Leaderboard of", "Clasificación de"),
    "board.chart_label": _("Strength of each version with its 95 % interval (the table above has the same numbers)",
                           "Fuerza de cada versión con su intervalo del 95 % (la tabla de arriba tiene los mismos "
                           "números)"),
    "board.chart_title": _("Bradley-Terry strength, strongest first (bar: 95 % bootstrap interval)",
                           "Fuerza Bradley-Terry, la más fuerte primero (barra: intervalo bootstrap del 95 %)"),
    "board.strength_axis": _("strength (log-odds; 0 = average version)",
                             "fuerza (log-odds; 0 = versión media)"),
    "board.strength_short": _("strength", "fuerza"),
    "board.rating_axis": _("mean rating (1-5)", "valoración media (1-5)"),
    "board.time_axis": _("time (UTC)", "hora (UTC)"),
    "board.tick": _("{model} ({votes} votes)", "{model} ({votes} votos)"),
    "board.tick_one": _("{model} (1 vote)", "{model} (1 voto)"),
    "board.in_lineage": _("{model} (from {lineage})", "{model} (de {lineage})"),
    "board.empty": _("No votes yet: compare two versions below.", "Aún no hay votos: compara dos versiones abajo."),
    "board.progress_label": _("Quality over time, per version (colour: lineage)",
                              "Calidad en el tiempo, por versión (color: linaje)"),
    "board.progress_title": _("Strength on the votes so far (top) and mean rating (bottom)",
                              "Fuerza con los votos hasta ese momento (arriba) y valoración media (abajo)"),
    "board.progress_empty": _("No ratings or votes yet.", "Aún no hay valoraciones ni votos."),
    "board.after": _("After the class rated {ratings} outputs, **{model}** wins {rate} % of {games} blind "
                     "comparisons against its parent **{parent}**.",
                     "Después de que la clase valorara {ratings} resultados, **{model}** gana el {rate} % de {games} "
                     "comparaciones a ciegas contra su versión madre **{parent}**."),
    "board.learned": _("**{model}** learned from {ratings} ratings of the class and wins {rate} % of {games} blind "
                       "comparisons against its parent **{parent}**.",
                       "**{model}** aprendió de {ratings} valoraciones de la clase y gana el {rate} % de {games} "
                       "comparaciones a ciegas contra su versión madre **{parent}**."),
    "board.no_parent_votes": _("No blind votes between a version and its parent yet: make a version with Learn "
                               "from feedback, then compare.",
                               "Aún no hay votos a ciegas entre una versión y su versión madre: crea una versión con "
                               "Aprender de las valoraciones y luego compara."),
}

# ---------------------------------------------------------------- the models' "how it works" notes in Spanish
# The English lives beside each model, as named pieces (``NOTES``) that the playground chooses from the
# model's config; here is the Spanish of each piece, by the same name and with the same {fields}. A
# piece that starts with a space goes on the paragraph before it. ``tabs/explanations.py`` assembles them.

IMAGE_NOTES_ES = {  # playground/images/explanations.py
    "GAN": (
        "Una GAN está formada por dos redes que juegan una partida entre sí. El **generador** convierte {z_dim} números "
        "aleatorios (el ruido) en una imagen de 28x28; el **discriminador** ve dígitos reales y dígitos generados y "
        "aprende a distinguirlos. El generador se entrena para engañarlo. Cuando ninguno de los dos puede ya ganar, "
        "las imágenes del generador se parecen a los dígitos reales. Los pesos guardados son una media móvil del "
        "generador (EMA), que da imágenes más estables."
    ),
    "CONDITIONAL_GAN": (
        " La GAN **condicional** recibe además el dígito que pides, y su discriminador juzga «¿es esto un 7 "
        "real?», así que el generador aprende a dibujar el dígito pedido."
    ),
    "AUX_NOTE": (
        "Esta GAN sigue siendo incondicional (no puedes pedirle un dígito: solo el ruido decide), pero durante el "
        "entrenamiento su discriminador también aprendió a decir qué dígito hay en las imágenes *reales* de "
        "entrenamiento, y el generador recibía una recompensa cuando ese juez veía cada uno de sus dibujos como un "
        "dígito claro y veía los diez dígitos con la misma frecuencia (como en CatGAN y AC-GAN). Eso lo aleja de "
        "los garabatos a medio camino entre dos dígitos y de dibujar unos dígitos más que otros."
    ),
    "AC_NOTE": (
        " Su discriminador también aprendió a decir qué dígito hay en las imágenes *reales*, y el generador "
        "recibía una recompensa cuando ese juez reconocía en su dibujo el dígito que se le había pedido (AC-GAN)."
    ),
    "CODE_NOTE": (
        "Su ruido contiene además un **código categórico**: el mayor de los diez primeros números del ruido elige "
        "uno de diez «estilos» (InfoGAN). Nadie le dijo qué estilo corresponde a qué dígito; lo averiguó ella "
        "sola, porque el discriminador tenía que adivinar el estilo a partir de la imagen. Por eso una semilla "
        "salta limpiamente de un dígito a otro cuando un deslizador hace que otro número pase a ser el mayor, en "
        "lugar de pasar por formas que son mitad un dígito y mitad otro."
    ),
    "VAE": (
        "Un VAE (autocodificador variacional) aprende a comprimir cada dígito en {z_dim} números (el "
        "**codificador**) y a volver a dibujar el dígito a partir de esos {z_dim} números (el **decodificador**). "
        "Además, se le obliga a repartir los códigos de todos los dígitos como una nube de ruido aleatorio "
        "corriente, de modo que {z_dim} números aleatorios cualesquiera se decodifican en un dígito verosímil, y "
        "códigos cercanos se decodifican en dígitos parecidos: por eso, al caminar entre dos códigos, un dígito "
        "se transforma suavemente en otro."
    ),
    "CONDITIONAL_VAE": " El VAE **condicional** recibe además el dígito que pides, en su codificador y en su decodificador.",
    "FLOW_PRIOR": (
        " En la práctica, el codificador no llena esa nube de manera uniforme: agrupa los dígitos en cúmulos, y los "
        "números aleatorios caen a menudo entre los cúmulos, donde el decodificador dibuja un borrón. Por eso, "
        "después del entrenamiento, una segunda red pequeña (un **flujo**) aprendió dónde están los cúmulos, y "
        "lleva tus números aleatorios hacia ellos antes de que el decodificador dibuje: la semilla y los "
        "deslizadores siguen moviendo los mismos números aleatorios."
    ),
    "DIFFUSION": (
        "Un modelo de difusión aprendió a limpiar ruido. Durante el entrenamiento, se enterraron dígitos reales "
        "bajo cada vez más ruido aleatorio, y una red (una pequeña U-Net) aprendió a mirar una imagen con ruido y "
        "adivinar el dígito limpio que hay debajo. Para dibujar, parte de ruido puro ({pixels} números aleatorios, "
        "uno por píxel, fijados por la semilla) y avanza en una serie de pasos pequeños: en cada paso adivina el "
        "dígito limpio (la fila de abajo de la tira) y luego quita un poco de ruido en dirección a esa suposición "
        "(la fila de arriba). Primero aparece la forma general y al final los trazos finos. Con más pasos tarda "
        "más y los dígitos salen más limpios. **DDIM** recorre siempre el mismo camino (mismo ruido, mismo "
        "dígito); **DDPM** añade un poco de ruido nuevo en cada paso, así que sus dígitos varían más. A la red "
        "también se le dice el dígito que pides; la **guía** compara lo que adivina con y sin el dígito y exagera "
        "la diferencia (guía sin clasificador, *classifier-free guidance*): una guía más alta da dígitos más "
        "típicos y menos variados. Con «cualquiera» no se le dice el dígito, y solo el ruido decide qué dígito "
        "aparece."
    ),
}

TEXT_NOTES_ES = {  # playground/text/explain.py
    "ARCH": "**{name}** es un transformer ({model_type}) de {layers} capas y {n:,} parámetros. Lee hasta {context:,} "
            "tokens de contexto y da a cada uno de sus {vocab:,} tokens una probabilidad de ser el siguiente; "
            "después, el muestreador saca uno.",
    "ARCH_ONE_LAYER": "**{name}** es un transformer ({model_type}) de 1 capa y {n:,} parámetros. Lee hasta "
                      "{context:,} tokens de contexto y da a cada uno de sus {vocab:,} tokens una probabilidad de "
                      "ser el siguiente; después, el muestreador saca uno.",
    "LEARNED": " Aprendió de {data}",
    "LEARNED_USER_TEXT": " Aprendió de textos de los usuarios",
    "PARENT": ", a partir de {parent},",
    "STEPS": " en {steps:,} pasos ({minutes:.1f} min).",
    "SCORE": " Con texto que no vio al entrenar obtiene {score:.3f} nats por carácter con al menos {chars} "
             "caracteres de contexto",
    "WINDOWS": " ({windows:.3f} de media sobre ventanas completas de {block} caracteres, como lo mide nanoGPT)",
    "UNIFORM": "; cuanto más bajo, mejor, y adivinar al azar, con todos los tokens igual de probables, daría "
               "{uniform:.2f}.",
}


# The Music tab's model notes: the English is the playground's own text (``playground/music``), the
# Spanish is here; ``tabs/explanations.music`` picks the key whose English is the model's note.
from playground.music import harmony as _harmony  # noqa: E402
from playground.music import model as _music_model  # noqa: E402

MUSIC_NOTES = {
    "music.about.lstm": _(
        _music_model.ABOUT,
        "Una pequeña red recurrente (una LSTM) aprendió armonía a cuatro voces de 229 corales de Bach. Dale un "
        "comienzo, unas notas que escribas, el principio de un coral que nunca vio o un archivo MIDI, y escribe lo "
        "que sigue una semicorchea tras otra; cada voz elige entre las notas que cree que Bach escribiría con más "
        "probabilidad. *Continuar* añade compases; *armonizar* deja tu melodía tal cual y añade contralto, tenor y "
        "bajo debajo. La temperatura decide lo atrevidas que son las elecciones."),
    "music.about.roll": _(
        _music_model.ABOUT_ROLL,
        "Una LSTM sobre el piano roll en negras de los corales de Bach, que se conserva para medir la verosimilitud "
        "por fotograma de los artículos publicados; en esta app no compone."),
    "music.about.harmoniser": _(
        _harmony.ABOUT,
        "**Armonizar** usa un segundo modelo, al estilo de **Coconet** (el modelo detrás del Doodle de Bach de "
        "Google): oye tu **melodía entera a la vez** y rellena contralto, tenor y bajo en todas partes a la vez; "
        "luego, una y otra vez, borra una parte al azar de sus propias notas y la vuelve a escribir a partir de "
        "todo lo demás (muestreo de Gibbs con recocido). Como sabe adónde va la melodía, sus acordes encajan con "
        "la tonalidad de la melodía. **Fijar la tonalidad** prohíbe las notas fuera de esa tonalidad. Debajo "
        "de cada resultado, un **informe de conducción de voces** comprueba lo que se comprueba en una clase de "
        "música (las quintas y octavas paralelas se marcan en el piano roll), y el gráfico de **probabilidades de la "
        "siguiente nota** muestra qué notas sopesó el armonizador para una voz en un tiempo."),
}

